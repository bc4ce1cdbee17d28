"""What fails first, computed: every metric that has a limit, forecast to it.

Pure. Each limit of the plan (`bot.domain.limits`) is forecast from its metric's daily
peaks (the digest's trend: a least-squares line over 28 days) to the day it crosses; the
limits come out in that order, beside the plan's own breaking point for the built tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.limits import Limit, plan_limits
from bot.domain.monitoring import require_aware
from bot.domain.plan import BreakingPoint, Plan
from bot.domain.reality_measure import WINDOW, Hours
from bot.domain.rules import MetricRule
from bot.monitor.forecast import forecast_rule

__all__ = ["Breaking", "FailsFirst", "fails_first", "weeks_text"]


@dataclass(frozen=True)
class Breaking:
    limit: Limit
    peak_now: float | None  # the newest day's peak
    at: datetime | None  # when the trend of daily peaks crosses it; None: not approaching

    @property
    def reached(self) -> bool:
        return self.peak_now is not None and self.peak_now > self.limit.value


@dataclass(frozen=True)
class FailsFirst:
    order: tuple[Breaking, ...]  # crossing first; the ones not approaching last
    plan_says: BreakingPoint | None
    now: datetime

    @property
    def first(self) -> Breaking | None:
        return next((b for b in self.order if b.at is not None), None)

    def headline(self) -> str:
        """`measured: Database connections first, in about 5 weeks; plan: API containers (CPU)`."""
        first = self.first
        if first is None:
            measured = "measured: no limit is approaching on the trend"
        elif first.reached:
            measured = f"measured: {first.limit.name} is already past its limit"
        else:
            measured = f"measured: {first.limit.name} first, {weeks_text(first.at, self.now)}"
        if self.plan_says is None:
            return measured
        return f"plan: {self.plan_says.first_to_break} first; {measured}"


def weeks_text(at: datetime | None, now: datetime) -> str:
    """`now`, `in about 3 days`, `in about 5 weeks`, `in about 4 months`."""
    if at is None:
        return "not approaching"
    days = (at - now) / timedelta(days=1)
    if days <= 0.5:
        return "now"
    if days < 14:
        return f"in about {round(days)} day{'s' if round(days) != 1 else ''}"
    if days < 70:
        return f"in about {round(days / 7)} weeks"
    return f"in about {round(days / 30.4)} months"


def fails_first(
    plan: Plan, hours: Hours, now: datetime, *, p95_load: float | None = None
) -> FailsFirst:
    """`p95_load`: the requests a second at which the queue model puts p95 past the target
    on today's containers. Given, the p95 limit is reached when the trend of the daily
    peak load reaches it (p95 itself rises as a curve, not a line); else p95's own trend."""
    now = require_aware(now)
    found: list[Breaking] = []
    for limit in plan_limits(plan):
        series = hours.get(limit.metric, ())
        watched, threshold = limit.metric, limit.value
        if limit.key == "p95" and p95_load is not None:
            watched, threshold = plan.reality.metrics.requests, p95_load
        extremes = [(h.hour, h.min, h.max) for h in hours.get(watched, ())]
        rule = MetricRule(metric=watched, op=">", value=threshold)
        forecast = forecast_rule(rule, extremes, now, WINDOW) if extremes else None
        at = forecast.crosses_at if forecast else None
        newest = series[-1].hour.date() if series else None
        peak = max((h.max for h in series if h.hour.date() == newest), default=None)
        found.append(Breaking(limit, peak, at))
    # Already past first (as measured today), then by the trend's crossing date.
    order = sorted(found, key=lambda b: (not b.reached, b.at is None, b.at or now))
    return FailsFirst(tuple(order), _plan_says(plan), now)


def _plan_says(plan: Plan) -> BreakingPoint | None:
    points: Sequence[BreakingPoint] = plan.breaking_points
    return next((p for p in points if p.from_tier == plan.built_tier), None)
