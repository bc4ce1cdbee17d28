"""Metrics and alerts figures for docs/PERFORMANCE.md.

    python bench/bench_metrics.py [--samples 100000] [--days 365]

1. Samples per second through POST /api/metrics (batches of 1,000, aiohttp on 127.0.0.1,
   SQLite file in WAL) against raw sqlite3 executemany of the same rows into the same
   schema, in the same run.
2. A year of one-minute samples for ten metrics: insert, rollup + prune (30 days raw),
   DB size, and the time of one evaluation of every rule of the default plan.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.config import Settings
from bot.deps import build_deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.monitor.rules_from_plan import rules_from_plan
from bot.web.ingest import make_metrics_routes
from store import Store

TOKEN = "bench-token"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
BATCH = 1000


def rows_for(count: int) -> list[tuple[str, float, float]]:
    metrics = ["mau", "cpu_pct", "api_p95_ms", "db_connections", "ram_pct"]
    start = NOW.timestamp() - count
    return [(metrics[i % 5], start + i, float(i % 97)) for i in range(count)]


def _serve(db: str, ready: Any) -> None:
    """The bot's ingestion endpoint in its own process, as in production."""
    deps = build_deps(
        Settings(ingest_token=TOKEN, db_path=Path(db)), store=Store(db), clock=lambda: NOW
    )

    async def run() -> None:
        app = web.Application()
        app.add_routes(make_metrics_routes(deps))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(run())


async def ingest_rate(
    tmp: Path, count: int, senders: int = 1, numeric_at: bool = False
) -> tuple[float, float]:
    rows = rows_for(count)

    def when(at: float) -> str | float:
        return at if numeric_at else datetime.fromtimestamp(at, UTC).isoformat()

    bodies = [
        json.dumps(
            {
                "samples": [
                    {"metric": m, "value": v, "at": when(at)} for m, at, v in rows[i : i + BATCH]
                ]
            }
        ).encode()
        for i in range(0, count, BATCH)
    ]
    ready: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(str(tmp / "ingest.db"), ready))
    server.start()
    port = ready.get(timeout=30)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    url = f"http://127.0.0.1:{port}/api/metrics"
    try:
        async with aiohttp.ClientSession() as http:
            queue = list(reversed(bodies))

            async def sender() -> None:
                while queue:
                    body = queue.pop()
                    async with http.post(url, data=body, headers=headers) as resp:
                        assert resp.status == 200, await resp.text()

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(senders)))
            http_seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.join(10)
    assert Store(tmp / "ingest.db").metrics.count() == count

    # The same rows, straight into the same schema with the standard library.
    conn = sqlite3.connect(tmp / "raw.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE samples (metric TEXT NOT NULL, at REAL NOT NULL, value REAL NOT NULL,"
        " PRIMARY KEY (metric, at)) WITHOUT ROWID"
    )
    started = time.perf_counter()
    for i in range(0, count, BATCH):
        with conn:
            conn.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?)", rows[i : i + BATCH])
    raw_seconds = time.perf_counter() - started
    conn.close()
    return count / http_seconds, count / raw_seconds


def year(tmp: Path, days: int) -> dict[str, float]:
    path = tmp / "year.db"
    store = Store(path)
    deps = build_deps(Settings(db_path=path, alerts_channel="C1"), store=store, clock=lambda: NOW)
    metrics = [m.name for m in deps.plan.metrics][:10]
    minutes = days * 24 * 60
    start = NOW - timedelta(minutes=minutes)
    rng = random.Random(5)
    level = {m: 50.0 for m in metrics}
    started = time.perf_counter()
    chunk: list[Sample] = []
    for minute in range(minutes):
        at = start + timedelta(minutes=minute + 1)
        for m in metrics:
            level[m] = max(0.0, level[m] + rng.uniform(-1, 1))
            chunk.append(Sample.model_construct(metric=m, at=at, value=level[m]))
        if len(chunk) >= 200_000:
            store.metrics.add_batch(chunk)
            chunk = []
    store.metrics.add_batch(chunk)
    insert_seconds = time.perf_counter() - started
    raw_rows = store.metrics.count()
    size_before = path.stat().st_size

    started = time.perf_counter()
    rolled, pruned = store.metrics.rollup_and_prune(NOW, timedelta(days=30))
    rollup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.metrics.rollup_and_prune(NOW + timedelta(hours=1), timedelta(days=30))
    hourly_seconds = time.perf_counter() - started
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_pruned = path.stat().st_size
    store.db.execute("VACUUM")
    size_vacuumed = path.stat().st_size

    rules = rules_from_plan(deps.plan)
    started = time.perf_counter()
    evaluate_once(deps, NOW)
    first_eval = time.perf_counter() - started
    started = time.perf_counter()
    evaluate_once(deps, NOW + timedelta(minutes=1))
    next_eval = time.perf_counter() - started
    return {
        "rows": raw_rows,
        "insert_seconds": insert_seconds,
        "size_before_mb": size_before / 1e6,
        "rolled_hours": rolled,
        "pruned": pruned,
        "rollup_seconds": rollup_seconds,
        "hourly_rollup_seconds": hourly_seconds,
        "size_pruned_mb": size_pruned / 1e6,
        "size_vacuumed_mb": size_vacuumed / 1e6,
        "rules": len(rules),
        "first_eval_ms": first_eval * 1000,
        "next_eval_ms": next_eval * 1000,
        "kept_rows": store.metrics.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--senders", type=int, default=1, help="concurrent HTTP clients")
    parser.add_argument("--numeric-at", action="store_true", help="`at` as unix seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        http_rate, raw_rate = asyncio.run(
            ingest_rate(Path(tmp), args.samples, args.senders, args.numeric_at)
        )
        print(
            f"POST /api/metrics: {http_rate:,.0f} samples/s (batches of {BATCH},"
            f" {args.senders} sender(s), at as {'unix seconds' if args.numeric_at else 'ISO'})"
        )
        print(f"sqlite3 executemany: {raw_rate:,.0f} samples/s")
        print(f"ratio: {http_rate / raw_rate:.2f} (goal >= 0.5)")
        figures = year(Path(tmp), args.days)
        for key, value in figures.items():
            print(f"{key}: {value:,.2f}" if isinstance(value, float) else f"{key}: {value:,}")
    print(
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, cpus {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
