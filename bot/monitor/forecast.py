"""Linear trend of a metric and when it will cross a rule, like Prometheus `predict_linear`."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.domain.monitoring import Sample, require_aware
from bot.domain.rules import MetricRule

__all__ = [
    "Forecast",
    "Stat",
    "Trend",
    "crossing",
    "daily",
    "fit",
    "forecast_rule",
    "forecast_value",
    "hourly_from_samples",
    "stat_for",
]

# A `>` rule is crossed by the day's peak, not its mean: a metric peaking near its
# threshold crosses it weeks before its average does. A `<` rule, by the day's low.
Stat = Literal["peaks", "lows"]

_WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class Trend:
    slope_per_second: float
    # Fitted value at `at` (the `now` of the fit); x is measured from there.
    intercept_at_now: float
    points: int
    at: datetime

    @property
    def per_week(self) -> float:
        return self.slope_per_second * _WEEK


def fit(
    samples: Sequence[Sample], now: datetime, window: timedelta = timedelta(days=28)
) -> Trend | None:
    """Least-squares line through the samples in `[now - window, now]`.

    None when fewer than 3 points (two points always fit exactly; a trend from them
    is noise) or all at one instant (slope undefined).
    """
    now = require_aware(now)
    start = now - window
    pts = [
        ((s.at - now).total_seconds(), s.value)
        for s in samples
        if start <= s.at <= now and math.isfinite(s.value)
    ]
    if len(pts) < 3:
        return None
    n = len(pts)
    # Centre x and y before multiplying: x in seconds is ~1e6, so raw sums lose precision.
    mx = math.fsum(x for x, _ in pts) / n
    my = math.fsum(y for _, y in pts) / n
    sxx = math.fsum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    sxy = math.fsum((x - mx) * (y - my) for x, y in pts)
    slope = sxy / sxx
    return Trend(slope_per_second=slope, intercept_at_now=my - slope * mx, points=n, at=now)


def forecast_value(trend: Trend, at: datetime) -> float:
    return trend.intercept_at_now + trend.slope_per_second * (at - trend.at).total_seconds()


def crossing(trend: Trend, rule: MetricRule, now: datetime) -> datetime | None:
    """When the trend first meets `rule`'s condition: `now` if it already does, None if never.

    The condition only, not `for`: this answers "when do we reach it", and the alert
    itself follows `for` later.
    """
    now = require_aware(now)
    current = forecast_value(trend, now)
    if rule.holds(current):
        return now
    slope = trend.slope_per_second
    rising = rule.op in (">", ">=")
    if slope == 0 or (slope > 0) != rising:
        return None
    seconds = (rule.value - current) / slope
    if not math.isfinite(seconds) or seconds < 0:
        return None
    try:
        return now + timedelta(seconds=seconds)
    except OverflowError:
        # Further out than datetime can say: for planning, that is "not approaching".
        return None


def stat_for(rule: MetricRule) -> Stat:
    """Which daily statistic forecasts `rule`: peaks for `>`/`>=`, lows for `<`/`<=`."""
    return "peaks" if rule.op in (">", ">=") else "lows"


def daily(hourly: Sequence[tuple[datetime, float, float]], stat: Stat) -> list[Sample]:
    """One point a UTC day from (hour, min, max) rows: the day's peak or low, at its hour."""
    days: dict[date, tuple[datetime, float]] = {}
    pick = max if stat == "peaks" else min
    for hour, low, high in hourly:
        value = high if stat == "peaks" else low
        if not math.isfinite(value):
            continue
        key = hour.astimezone(UTC).date()
        best = days.get(key)
        if best is None or pick(best[1], value) != best[1]:
            days[key] = (hour, value)
    return [Sample(metric="-", at=at, value=v) for _, (at, v) in sorted(days.items())]


def hourly_from_samples(samples: Sequence[Sample]) -> list[tuple[datetime, float, float]]:
    """(hour, min, max) rows from raw samples, for callers holding samples, not rollups."""
    hours: dict[datetime, list[float]] = defaultdict(list)
    for s in samples:
        hours[s.at.replace(minute=0, second=0, microsecond=0)].append(s.value)
    return [(h, min(v), max(v)) for h, v in sorted(hours.items())]


@dataclass(frozen=True)
class Forecast:
    """When a rule's condition is forecast to hold, and from which daily statistic."""

    stat: Stat
    trend: Trend | None
    crosses_at: datetime | None

    @property
    def basis(self) -> str:
        """`from daily peaks`: what every surface says beside a forecast date."""
        return f"from daily {self.stat}"


def forecast_rule(
    rule: MetricRule,
    hourly: Sequence[tuple[datetime, float, float]],
    now: datetime,
    window: timedelta = timedelta(days=28),
) -> Forecast:
    """The crossing of `rule` from a trend of its daily peaks (or lows) over `window`."""
    stat = stat_for(rule)
    trend = fit(daily(hourly, stat), now, window)
    return Forecast(stat, trend, crossing(trend, rule, now) if trend else None)
