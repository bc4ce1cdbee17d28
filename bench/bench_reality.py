"""The whole reality computation over what the store holds, against reading the samples.

Ten metrics (the ones `reality` reads: users, requests, response time, containers,
database, CPU, p95, connections, storage, cost) from the simulated service of the tests:
30 days of raw samples at 30 s, and 60 days before that rolled up to hours and pruned, as
the rollup job leaves them. Times, side by side in one run:

- reading those samples alone: the 30 days of raw rows of the ten metrics, as bare
  (at, value) rows and as the store's `window()` reads them (Sample objects);
- the bot: `measured_now` (every assumption, and what fails first) over the same store.

    python bench/bench_reality.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.commands.reality import measured_now
from bot.domain.reality import role_metrics
from bot.planio.planfile import default_plan
from store import Store
from tests.support.reality_sim import Service

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RAW_DAYS = 30
ROLLED_DAYS = 60


def fill(store: Store) -> None:
    plan = default_plan()
    service = Service(users0=300, users_per_day=8)
    old = NOW - timedelta(days=RAW_DAYS + ROLLED_DAYS)
    # The older months at 5 minutes (they end up as hourly rollups either way).
    store.metrics.add_rows(list(service.rows(plan, old, ROLLED_DAYS, timedelta(minutes=5))))
    store.metrics.rollup_and_prune(NOW, timedelta(days=RAW_DAYS), pause=lambda seconds: None)
    recent = NOW - timedelta(days=RAW_DAYS)
    later = Service(users0=service.users(ROLLED_DAYS), users_per_day=8)
    rows = list(later.rows(plan, recent, RAW_DAYS, timedelta(seconds=30)))
    for first in range(0, len(rows), 200_000):
        store.metrics.add_rows(rows[first : first + 200_000])


def roll_up(store: Store) -> None:
    """What the hourly rollup job leaves: every complete hour rolled up, 30 days kept raw."""
    store.metrics.rollup_and_prune(NOW, timedelta(days=RAW_DAYS), pause=lambda seconds: None)


def timed(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plan = default_plan()
    metrics = role_metrics(plan)
    assert len(metrics) == 10, metrics
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "reality.db")
        fill(store)
        since = NOW - timedelta(days=RAW_DAYS)
        rolled = sum(
            len(store.metrics.rollups(m, NOW - timedelta(days=RAW_DAYS + ROLLED_DAYS), since))
            for m in metrics
        )
        print(f"raw samples: {store.metrics.count():,}; hourly rollups beyond: {rolled:,}")

        def bare() -> None:
            for m in metrics:
                store.metrics.db.execute(
                    "SELECT at, value FROM samples WHERE metric = ? AND at >= ? AND at <= ?",
                    [m, since.timestamp(), NOW.timestamp()],
                ).fetchall()

        def window() -> None:
            for m in metrics:
                store.metrics.window(m, since, NOW)

        def reality() -> None:
            measured_now(store, plan, NOW)

        results = {
            "read raw rows (bare SQL)": timed(bare, args.repeat),
            "read raw samples (window)": timed(window, args.repeat),
            "bot, after a backfill": timed(reality, args.repeat),
        }
        roll_up(store)
        results["bot, rolled up (steady)"] = timed(reality, args.repeat)
        for name, seconds in results.items():
            print(f"{name:30} {seconds * 1000:9.1f} ms")
        base = results["read raw rows (bare SQL)"]
        for name in ("bot, after a backfill", "bot, rolled up (steady)"):
            bot = results[name]
            print(
                f"ratio {name} / bare read: {bot / base:.3f};"
                f" / window read: {bot / results['read raw samples (window)']:.3f}"
            )
        reality_now, fails = measured_now(store, plan, NOW)
        print(
            f"rows measured: {sum(r.value is not None for r in reality_now.rows)} of "
            f"{len(reality_now.rows)}; {fails.headline()}"
        )


if __name__ == "__main__":
    main()
