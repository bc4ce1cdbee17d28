"""The bill's warnings as monitor rules: forecast against budget, a component over its plan,
unassigned cost. Pure.

Each is an ordinary `Rule` over a value computed from the month's `Spend` (one sample, at
`now`), so the alert lifecycle, silences, routes and the outbox are the ones every other
alert goes through. Rule ids carry the month (`cost.forecast.80.2026-12`): each fires
once a month, takes no reminders, and resolves when its condition no longer holds. One
that fired and resolved this month stays quiet until the next (`fired_this_month`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal

from bot.domain.metric import Metric
from bot.domain.money import fmt_money, fmt_number
from bot.domain.monitoring import AlertState, Rule, Sample
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from bot.domain.spend import Spend

__all__ = ["COST_PREFIX", "CostWatch", "cost_watch"]

COST_PREFIX = "cost."
FORECAST = "cost_forecast"
UNASSIGNED = "cost_unassigned_pct"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:40] or "component"


class CostWatch:
    """The month's cost rules, their samples, and the metrics they are written in."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.samples: dict[str, list[Sample]] = {}
        self.metrics: list[Metric] = []

    def add(self, rule: Rule, value: float, now: datetime, unit: str, description: str) -> None:
        self.rules.append(rule)
        metric = rule.rule.metric
        if metric not in self.samples:
            self.samples[metric] = [Sample(metric=metric, at=now, value=value)]
            self.metrics.append(Metric(name=metric, description=description, unit=unit, min=None))

    def plan_with_metrics(self, plan: Plan) -> Plan:
        """`plan` with these metrics declared, so messages print `$` and `%` with values."""
        known = {m.name for m in plan.metrics}
        extra = tuple(m for m in self.metrics if m.name not in known)
        return plan.model_copy(update={"metrics": (*plan.metrics, *extra)}) if extra else plan


def _rule(rule_id: str, metric: str, limit: Decimal, title: str, action: str, active: bool) -> Rule:
    return Rule(
        id=rule_id,
        kind="threshold",
        rule=MetricRule(metric=metric, op=">", value=float(limit)),
        title=title,
        action=action,
        active=active,
        remind=False,
    )


def cost_watch(
    plan: Plan,
    result: Spend,
    now: datetime,
    states: Mapping[str, AlertState],
    fired_this_month: Collection[str],
) -> CostWatch:
    """The rules for `result`'s month. A rule that fired this month and is not alerting
    now is inactive: it said its piece once this month."""
    watch = CostWatch()
    month = f"{result.month:%Y-%m}"
    alerts = plan.costs.alerts
    budget = result.budget
    tier = f"Tier {result.tier}"
    look = "`/capacity spend` shows where it goes"

    def active(rule_id: str) -> bool:
        state = states.get(rule_id)
        alerting = state is not None and state.fired_at is not None
        return alerting or rule_id not in fired_this_month

    if budget > 0:
        for pct in sorted({alerts.forecast_warn, alerts.forecast_over}):
            limit = budget * pct / 100
            rule_id = f"{COST_PREFIX}forecast.{fmt_number(pct)}.{month}"
            watch.add(
                _rule(
                    rule_id,
                    FORECAST,
                    limit,
                    f"month-end cost forecast over {fmt_number(pct)}% of the {tier} budget"
                    f" ({fmt_money(round(limit, 2))} of {fmt_money(budget)}/mo)",
                    f"{look}; the forecast is the month so far plus the daily run rate",
                    active(rule_id),
                ),
                float(result.forecast),
                now,
                "$",
                "Month-end cost forecast",
            )
    for component in result.components:
        if not component.planned or component.planned <= 0:
            continue
        limit = component.planned * (1 + alerts.component_over / 100)
        rule_id = f"{COST_PREFIX}component.{_slug(component.name)}.{month}"
        watch.add(
            _rule(
                rule_id,
                f"{FORECAST}_{_slug(component.name)}",
                limit,
                f"{component.name} forecast more than {fmt_number(alerts.component_over)}% over"
                f" its planned {fmt_money(component.planned)}/mo",
                f"{look}; if the plan is wrong, change its line items or the {tier} changes",
                active(rule_id),
            ),
            float(component.forecast),
            now,
            "$",
            f"{component.name} month-end cost forecast",
        )
    if result.actual > 0:
        rule_id = f"{COST_PREFIX}unassigned.{month}"
        watch.add(
            _rule(
                rule_id,
                UNASSIGNED,
                alerts.unassigned,
                f"unassigned cost over {fmt_number(alerts.unassigned)}% of the month",
                "Add the mapping rules `/capacity spend` suggests to the plan's `costs.rules`",
                active(rule_id),
            ),
            float(result.unassigned_share),
            now,
            "%",
            "Cost no mapping rule places",
        )
    return watch
