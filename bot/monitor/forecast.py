"""Linear trend of a metric and when it will cross a rule, like Prometheus `predict_linear`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.monitoring import Sample, require_aware
from bot.domain.rules import MetricRule

__all__ = ["Trend", "crossing", "fit", "forecast_value"]

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
