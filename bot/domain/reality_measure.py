"""Measured values from hourly statistics: one value a day, then the median of the days.

Pure: the caller reads `HourStat`s from the store (`MetricStore.hourly_stats`) and passes
them in. A day counts once it holds at least `FULL_DAY_HOURS` hours in which every metric
of a derivation reported, so a half day of a daily load curve never reads as a whole one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.monitoring import HourStat

__all__ = [
    "FULL_DAY_HOURS",
    "MIN_DAYS",
    "MIN_GROWTH_DAYS",
    "MIN_SAMPLES",
    "WINDOW",
    "Hours",
    "Measured",
    "Shortfall",
    "daily",
    "growth_per_month",
    "peak_to_mean",
]

# The window every derivation reads (and the forecasts: the digest's 28 days).
WINDOW = timedelta(days=28)
# What a derivation needs before it says anything: days with data and samples.
MIN_DAYS = 3
MIN_SAMPLES = 100
FULL_DAY_HOURS = 18
# A slope from fewer days is noise, not growth.
MIN_GROWTH_DAYS = 7
MONTH_DAYS = 30.4375

# metric -> its hours in the window
Hours = Mapping[str, Sequence[HourStat]]


@dataclass(frozen=True)
class Measured:
    """A measured value with what it rests on: the days it spans, how many samples, and the
    spread of its daily values (lowest and highest)."""

    value: float
    days: int
    samples: int
    low: float
    high: float
    since: date
    until: date


@dataclass(frozen=True)
class Shortfall:
    """Too little data: what a derivation has and what it still needs."""

    metrics: tuple[str, ...]
    days: int
    samples: int
    need_days: int = MIN_DAYS
    need_samples: int = MIN_SAMPLES

    def text(self) -> str:
        names = " and ".join(f"`{m}`" for m in self.metrics)
        if self.samples == 0:
            return f"no samples of {names} together yet; needs {self._need()}"
        day_word = "day" if self.days == 1 else "days"
        return (
            f"needs {self._need()} of {names}; has {self.days} {day_word}"
            f" and {self.samples:,} samples"
        )

    def _need(self) -> str:
        return (
            f"{self.need_days} days (of {FULL_DAY_HOURS}+ hours each)"
            f" and {self.need_samples:,} samples"
        )


def _by_hour(hours: Hours, metrics: Sequence[str]) -> dict[datetime, dict[str, HourStat]]:
    """Hours in which every one of `metrics` reported."""
    found: dict[datetime, dict[str, HourStat]] = {}
    for index, metric in enumerate(metrics):
        mine = {h.hour: h for h in hours.get(metric, ())}
        if index == 0:
            found = {at: {metric: h} for at, h in mine.items()}
        else:
            found = {at: {**row, metric: mine[at]} for at, row in found.items() if at in mine}
    return found


def daily(
    hours: Hours,
    metrics: Sequence[str],
    per_day: Callable[[Sequence[Mapping[str, HourStat]]], float | None],
) -> Measured | Shortfall:
    """`per_day(the day's hours)` for every full day, and their median; or what is missing."""
    rows = _by_hour(hours, metrics)
    days: dict[date, list[Mapping[str, HourStat]]] = {}
    for at, row in sorted(rows.items()):
        days.setdefault(at.astimezone(UTC).date(), []).append(row)
    samples = sum(h.count for row in rows.values() for h in row.values())
    values: list[tuple[date, float]] = []
    newest = max(days, default=None)
    for day, day_rows in sorted(days.items()):
        # The day still running is half a load curve: it waits until it is whole.
        if len(day_rows) < (24 if day == newest else FULL_DAY_HOURS):
            continue
        value = per_day(day_rows)
        if value is not None and math.isfinite(value):
            values.append((day, value))
    if len(values) < MIN_DAYS or samples < MIN_SAMPLES:
        return Shortfall(tuple(metrics), len(values), samples)
    figures = [v for _, v in values]
    return Measured(
        value=statistics.median(figures),
        days=len(values),
        samples=samples,
        low=min(figures),
        high=max(figures),
        since=values[0][0],
        until=values[-1][0],
    )


def peak_to_mean(hours: Hours, metric: str) -> Measured | Shortfall:
    """The busiest hour's mean over the day's mean: how much above average the peak runs."""

    def ratio(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        means = [r[metric].mean for r in rows]
        average = statistics.fmean(means)
        return max(means) / average if average > 0 else None

    return daily(hours, [metric], ratio)


def growth_per_month(hours: Hours, metric: str) -> Measured | Shortfall:
    """The least-squares slope of the daily means, a month of it; its spread is the slope
    of the first and of the second half of the days."""
    series = hours.get(metric, ())
    days: dict[date, list[HourStat]] = {}
    for h in series:
        days.setdefault(h.hour.astimezone(UTC).date(), []).append(h)
    points = [
        (d.toordinal(), statistics.fmean(h.mean for h in hs))
        for d, hs in sorted(days.items())
        if len(hs) >= FULL_DAY_HOURS
    ]
    samples = sum(h.count for h in series)
    if len(points) < MIN_GROWTH_DAYS or samples < MIN_SAMPLES:
        return Shortfall((metric,), len(points), samples, MIN_GROWTH_DAYS)
    slope = _slope(points) * MONTH_DAYS
    half = len(points) // 2
    halves = [_slope(points[:half]) * MONTH_DAYS, _slope(points[half:]) * MONTH_DAYS]
    first, last = date.fromordinal(points[0][0]), date.fromordinal(points[-1][0])
    return Measured(slope, len(points), samples, min(halves), max(halves), first, last)


def _slope(points: Sequence[tuple[int, float]]) -> float:
    if len(points) < 2:
        return 0.0
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    sxx = math.fsum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return 0.0
    return math.fsum((x - mx) * (y - my) for x, y in points) / sxx
