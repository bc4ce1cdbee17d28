"""How far each next-tier trigger is from holding, and when its trend crosses it: the digest's
numbers, pure, computed before any wording (`bot.digest.build`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.digest.data import SAMPLE_WINDOW, DigestInput
from bot.domain.costs import current_tier as domain_current_tier
from bot.domain.monitoring import require_aware
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule, parse_duration
from bot.monitor.forecast import Stat, Trend, crossing, daily, fit, hourly_from_samples, stat_for

__all__ = [
    "DEFAULT_LEAD_TIME",
    "HORIZON",
    "RuleHeadroom",
    "Status",
    "Trends",
    "current_tier",
    "headroom",
    "latest_value",
    "lead_time_for",
    "parse_lead_time",
    "rule_headroom",
]

DEFAULT_LEAD_TIME = timedelta(weeks=4)
# A crossing further out than this is not something a weekly digest should date.
HORIZON = timedelta(days=5 * 365)

Status = Literal["crossed", "crossing", "not approaching", "not enough data", "no data"]


@dataclass(frozen=True)
class RuleHeadroom:
    """One next-tier trigger against the data."""

    text: str
    rule: MetricRule
    value: float | None
    distance: float | None  # how far the value may still move before the rule holds
    distance_pct: float | None  # distance as a percentage of the threshold
    trend: Trend | None
    crosses_at: datetime | None
    status: Status
    lead_time: timedelta
    at: datetime  # the `now` this was computed for

    @property
    def within_lead_time(self) -> bool:
        """Crossed already, or forecast to cross before the lead time runs out."""
        if self.status == "crossed":
            return True
        return self.crosses_at is not None and self.crosses_at - self.at <= self.lead_time


def parse_lead_time(text: str) -> timedelta | None:
    """`1 week` -> 7 days; `Immediate (auto-scale)` -> None; `3 days` -> 3 days."""
    text = text.strip().lower()
    if not text:
        return None
    try:
        return timedelta(seconds=parse_duration(text))
    except ValueError:
        pass
    match = re.search(r"(\d+(?:\.\d+)?)\s*([a-z]+)", text)
    if match is None:
        return None
    try:
        return timedelta(seconds=parse_duration(f"{match.group(1)} {match.group(2)}"))
    except ValueError:
        return None


def lead_time_for(plan: Plan, metric: str) -> timedelta:
    """The longest lead time the plan gives a scaling trigger on `metric`, else 4 weeks."""
    found = [
        lead
        for trigger in plan.scaling_triggers
        if trigger.rule.metric == metric
        and (lead := parse_lead_time(trigger.lead_time)) is not None
    ]
    return max(found, default=DEFAULT_LEAD_TIME)


def latest_value(inp: DigestInput, metric: str) -> float | None:
    found = inp.latest.get(metric)
    if found is not None and math.isfinite(found[0]):
        return found[0]
    samples = [s for s in inp.samples.get(metric, ()) if s.at <= inp.now]
    if samples:
        return max(samples, key=lambda s: s.at).value
    return None


def current_tier(inp: DigestInput) -> tuple[int, float | None]:
    """The tier the latest `mau` needs (0 when unknown) and that value."""
    users = latest_value(inp, inp.plan.users_metric)
    if users is None:
        return 0, None
    return domain_current_tier(inp.plan, users), users


def _distance(rule: MetricRule, value: float) -> float:
    return rule.value - value if rule.op in (">", ">=") else value - rule.value


Trends = dict[tuple[str, Stat], Trend | None]


def _trend(inp: DigestInput, rule: MetricRule, now: datetime, trends: Trends) -> Trend | None:
    # One fit per metric and statistic per digest: several rules often watch one metric.
    # A `>` rule is forecast from daily peaks, a `<` rule from daily lows.
    key = (rule.metric, stat_for(rule))
    if key not in trends:
        hourly = inp.extremes.get(rule.metric)
        if hourly is None:
            hourly = hourly_from_samples(inp.samples.get(rule.metric, ()))
        points = daily(hourly, key[1])
        trends[key] = fit(points, now, SAMPLE_WINDOW) if points else None
    return trends[key]


def rule_headroom(
    inp: DigestInput, text: str, rule: MetricRule, now: datetime, trends: Trends
) -> RuleHeadroom:
    value = latest_value(inp, rule.metric)
    samples = inp.samples.get(rule.metric, ())
    trend = _trend(inp, rule, now, trends)
    lead = lead_time_for(inp.plan, rule.metric)
    distance = pct = None
    if value is not None:
        distance = _distance(rule, value)
        pct = distance * 100 / abs(rule.value) if rule.value else None
    crosses: datetime | None = None
    status: Status
    if value is not None and rule.holds(value):
        status, crosses = "crossed", now
    elif trend is None:
        status = "not enough data" if samples or value is not None else "no data"
    else:
        crosses = crossing(trend, rule, now)
        if crosses is None or crosses - now > HORIZON:
            status, crosses = "not approaching", None
        else:
            status = "crossing"
    return RuleHeadroom(text, rule, value, distance, pct, trend, crosses, status, lead, now)


def headroom(inp: DigestInput, tier: int, trends: Trends | None = None) -> list[RuleHeadroom]:
    """Every metric trigger of `tier` against the latest values and 28-day trends."""
    trends = {} if trends is None else trends
    plan = inp.plan
    if not 1 <= tier <= plan.tier_count:
        return []
    now = require_aware(inp.now)
    return [
        rule_headroom(inp, trigger.text, trigger.rule, now, trends)
        for trigger in plan.tier(tier).triggers
        if trigger.rule is not None
    ]
