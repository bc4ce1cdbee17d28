"""Change-log figures for docs/PERFORMANCE.md: `python bench/bench_changes.py`.

1. Submissions a second end to end (signed HTTP -> Bolt -> validate -> store -> ack), against
   raw sqlite3 inserts of the same rows (one transaction each) in the same run.
2. `changes` and `changes search` latency with 100 and with 100,000 entries.
Every loop is bounded; figures are medians.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.changes import ChangeDraft
from bot.planio.planfile import default_plan
from store import Store
from tests.slack.harness import GOOD, rig, view_submission

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SUBMISSIONS = 1000
CONCURRENCY = 10
LATENCY_RUNS = 200


async def http_rate(db: Path) -> float:
    async with rig(store=Store(db)) as r:
        bodies = [
            view_submission({**GOOD, "change": f"Bench change {i}"}, view_id=f"V{i}")
            for i in range(SUBMISSIONS)
        ]
        await r.post_json(view_submission(GOOD, view_id="warmup"))
        start = time.perf_counter()
        for i in range(0, SUBMISSIONS, CONCURRENCY):
            results = await asyncio.gather(*(r.post_json(b) for b in bodies[i : i + CONCURRENCY]))
            assert all(status == 200 for status, _ in results)
        elapsed = time.perf_counter() - start
        assert r.deps.store.changes.count() == SUBMISSIONS + 1
        return SUBMISSIONS / elapsed


def raw_rate(db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE c (id INTEGER PRIMARY KEY, date TEXT, change TEXT, reason TEXT, "
        "impact TEXT, cost_change TEXT, tier INTEGER, recorded_by TEXT, channel_id TEXT, "
        "created_at TEXT, k TEXT UNIQUE)"
    )
    start = time.perf_counter()
    for i in range(SUBMISSIONS):
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO c VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                "2026-11-20",
                f"Bench change {i}",
                GOOD["reason"],
                GOOD["impact"],
                "-12.50",
                2,
                "U1",
                "C1",
                NOW.isoformat(),
                f"k{i}",
            ],
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return SUBMISSIONS / elapsed


def filled(n: int, db: Path) -> Deps:
    store = Store(db)
    rows = []
    for i in range(n):
        # Ten entries mention pgbouncer at either size: same answer, different haystack.
        word = "pgbouncer" if i % (n // 10) == 0 else f"word{i % 997}"
        rows.append(
            (
                ChangeDraft(
                    date=date(2020, 1, 1) + timedelta(days=i % 2500),
                    change=f"Change {i} {word}",
                    reason=f"Reason {i} load went up",
                    impact="ok",
                ),
                "U1",
                "C1",
                f"k{i}",
            )
        )
    with store.db.atomic():
        for draft, by, channel, key in rows:
            store.changes._insert(draft, by, channel, key, NOW, "add")
    return Deps(Settings(), default_plan(), lambda: NOW, store)


router = build_router()


def latency_ms(deps: Deps, text: str) -> float:
    ctx = deps.context(user_id="U1")
    for _ in range(10):
        router.dispatch(text, ctx)
    samples = []
    for _ in range(LATENCY_RUNS):
        start = time.perf_counter()
        reply = router.dispatch(text, ctx)
        samples.append((time.perf_counter() - start) * 1000)
        assert not reply.error, reply
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        http = asyncio.run(http_rate(base / "http.db"))
        raw = raw_rate(base / "raw.db")
        print(
            f"submissions over signed HTTP: {http:,.0f}/s "
            f"({SUBMISSIONS} posts, {CONCURRENCY} at a time)"
        )
        print(f"raw sqlite3 inserts (one txn each): {raw:,.0f}/s")
        print(f"ratio raw/http: {raw / http:.1f}x")
        figures: dict[tuple[str, int], float] = {}
        for n in (100, 100_000):
            deps = filled(n, base / f"n{n}.db")
            for text in ("changes", "changes search pgbouncer"):
                figures[(text, n)] = latency_ms(deps, text)
                print(f"{text!r} with {n:,} entries: {figures[(text, n)]:.3f} ms (median)")
            deps.close()
        for text in ("changes", "changes search pgbouncer"):
            ratio = figures[(text, 100_000)] / figures[(text, 100)]
            print(f"{text!r}: 100,000 / 100 entries = {ratio:.2f}x (budget 2x)")


if __name__ == "__main__":
    main()
