"""The digest as the running bot builds it: from the database, not from prepared inputs.

Thirty days of one-minute samples for ten metrics (what a year leaves in the database
after rollup and prune: raw samples are kept 30 days) and 10,000 logged changes. Times
gathering the inputs + building the digest, and the RSS it costs, two ways side by side:
the trend from every raw sample (baseline) and from hourly means (what the bot does).

    python bench/bench_digest_store.py [--days 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.commands.digest import gather_digest_input
from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.digest.build import build_digest
from bot.digest.data import DigestInput
from bot.domain.changes import ChangeDraft
from store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
METRICS = [
    "mau",
    "api_p95_ms",
    "db_connections",
    "db_cpu_pct",
    "storage_gb",
    "storage_pct",
    "cpu_pct",
    "ram_pct",
    "error_rate_pct",
    "cost_usd",
]


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 2**20


def bot_input(deps: Deps, now: datetime) -> DigestInput:
    """What the bot does: the trend from hourly means."""
    return gather_digest_input(deps.plan, deps.store, now, deps.settings.zone)


def raw_input(deps: Deps, now: datetime) -> DigestInput:
    """Baseline: every raw sample of the 28 days goes to the trend fit."""
    inp = bot_input(deps, now)
    store = deps.store
    samples = {m: store.metrics.window(m, now - timedelta(days=28), now) for m in inp.samples}
    return replace(inp, samples=samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "digest.db"
        store = Store(path)
        minutes = args.days * 24 * 60
        start = NOW - timedelta(minutes=minutes)
        for metric_index, metric in enumerate(METRICS):
            rows = [
                (metric, (start + timedelta(minutes=m)).timestamp(), 10 + metric_index + m / 1000)
                for m in range(minutes)
            ]
            store.metrics.add_rows(rows)
        drafts = [
            ChangeDraft(
                date=date(2026, 11, 23) - timedelta(days=i % 400),
                change=f"change {i}",
                reason="bench",
                cost_change=Decimal(i % 7),
            )
            for i in range(10_000)
        ]
        for i, draft in enumerate(drafts):
            store.changes.add(draft, "U1", "C1", f"bench-{i}", NOW)
        deps = build_deps(
            Settings(db_path=path, alerts_channel="C1"), store=store, clock=lambda: NOW
        )
        print(f"samples: {store.metrics.count():,}; changes: {store.changes.count():,}")
        results = {}
        # The bot's way first, so its RSS is not measured on the baseline's high-water mark.
        for name, source in (
            ("hourly means (bot)", bot_input),
            ("raw samples (baseline)", raw_input),
        ):
            gc.collect()
            before = rss_mib()
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                reply = build_digest(source(deps, NOW))
                times.append(time.perf_counter() - started)
            after = rss_mib()
            results[name] = statistics.median(times)
            print(
                f"{name:24} {statistics.median(times) * 1000:8.1f} ms   "
                f"RSS {before:6.1f} -> {after:6.1f} MiB   ({len(reply.parts)} parts)"
            )
        base, bot = results["raw samples (baseline)"], results["hourly means (bot)"]
        print(f"ratio bot / baseline time: {bot / base:.3f}")


if __name__ == "__main__":
    main()
