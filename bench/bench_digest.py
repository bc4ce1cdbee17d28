"""How long one weekly digest takes to build, with and without its chart, and its memory.

A year of samples for ten metrics (one every 15 minutes by default) and 10,000 logged
changes, all in memory as the pure inputs: this measures the digest, not the store.

    python bench/bench_digest.py [--interval-minutes 15] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.digest.build import build_digest
from bot.digest.chart import draw_digest_chart
from bot.digest.data import AlertRecord, ChangeRecord, DigestInput
from bot.digest.panels import chart_panels
from bot.domain.monitoring import Sample
from bot.planio.planfile import default_plan

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
METRICS = {
    # metric: (value a year ago, value now)
    "mau": (300, 900),
    "api_p95_ms": (400, 700),
    "db_connections": (20, 75),
    "db_cpu_pct": (10, 45),
    "storage_gb": (5, 30),
    "storage_pct": (5, 40),
    "cpu_pct": (20, 60),
    "ram_pct": (30, 70),
    "error_rate_pct": (0.5, 0.3),
    "cost_usd": (35, 39),
}


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MiB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def dataset(interval: timedelta) -> DigestInput:
    count = int(timedelta(days=365) / interval)
    samples: dict[str, list[Sample]] = {}
    for metric, (start, end) in METRICS.items():
        step = (end - start) / count
        samples[metric] = [
            Sample(
                metric=metric,
                at=NOW - (count - i) * interval,
                value=start + step * i + (i % 7 - 3) * step,
            )
            for i in range(count + 1)
        ]
    changes = [
        ChangeRecord(date(2026, 11, 20) + timedelta(days=i % 7), f"change {i}", Decimal(i % 5))
        for i in range(10_000)
    ]
    alerts = [
        AlertRecord(f"alert {i}", NOW - timedelta(hours=i + 2), NOW - timedelta(hours=i))
        for i in range(50)
    ]
    return DigestInput(
        plan=default_plan(),
        now=NOW,
        zone=UTC,
        latest={m: (s[-1].value, s[-1].at) for m, s in samples.items()},
        samples=samples,
        alerts_fired_resolved=alerts,
        still_firing=alerts[:3],
        changes=changes,
        cost_this_month=Decimal("38.20"),
    )


def timed(fn: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval-minutes", type=float, default=15)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rss_start = rss_mb()
    inp = dataset(timedelta(minutes=args.interval_minutes))
    per_metric = len(next(iter(inp.samples.values())))
    rss_data = rss_mb()

    def without_chart() -> None:
        build_digest(inp)

    def with_chart() -> None:
        build_digest(inp)
        draw_digest_chart(inp)

    # Memory of one chart: import matplotlib and draw once, measured around it.
    gc.collect()
    before = rss_mb()
    panels = chart_panels(inp)
    png = draw_digest_chart(inp)
    gc.collect()
    after = rss_mb()

    plain = timed(without_chart, args.repeat)
    charted = timed(with_chart, args.repeat)
    gc.collect()
    after_runs = rss_mb()

    print(f"python {sys.version.split()[0]}, {sys.platform}")
    print(
        f"data: {len(inp.samples)} metrics x {per_metric:,} samples "
        f"(every {args.interval_minutes:g} min for a year), {len(inp.changes):,} changes"
    )
    print(f"RSS: {rss_start:.0f} MiB at start, {rss_data:.0f} MiB with the data set")
    print(f"build digest, no chart: {plain * 1000:.0f} ms (median of {args.repeat})")
    print(f"build digest + chart:   {charted * 1000:.0f} ms (median of {args.repeat})")
    print(f"ratio with/without chart: {charted / plain:.1f}x")
    print(f"chart: {len(png):,} bytes PNG, {len(panels)} panels")
    print(
        f"RSS around the first chart: {before:.0f} MiB before, {after:.0f} MiB after "
        f"(+{after - before:.0f} MiB, matplotlib import included); "
        f"{after_runs:.0f} MiB after {args.repeat * 2} more digests; peak {peak_mb():.0f} MiB"
    )


if __name__ == "__main__":
    main()
