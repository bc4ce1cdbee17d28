"""The plan's hard limits, each with the metric that approaches it: CPU threshold, the
database connection limit, storage capacity, the built tier's p95 target, the budget.

Pure: read from the plan (and the built tier in it). `whatif` measures a load's margin to
each; "what fails first" forecasts each metric to its limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.money import fmt_money
from bot.domain.plan import Plan
from bot.domain.reality_effects import storage_limit
from bot.domain.tiers import budget

__all__ = ["Limit", "cpu_threshold", "p95_target", "plan_limits", "storage_capacity"]

_CAPACITY = re.compile(r"([\d,.]+)\s*(GB|TB)\s+storage capacity", re.IGNORECASE)
_TARGET = re.compile(r"([\d,.]+)\s*(ms|s)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    key: str  # cpu, connections, storage, p95, budget
    name: str  # `CPU threshold`
    metric: str  # the metric that approaches it
    value: float
    unit: str
    source: str  # where the plan says it: `Storage > 40GB`, `100 connections max`


def cpu_threshold(plan: Plan) -> float | None:
    """The lowest `cpu > N` the plan scales or alerts at (the template's 70%)."""
    metric = plan.reality.metrics.cpu
    rules = [t.rule for t in plan.scaling_triggers] + [t.rule for t in plan.thresholds]
    found = [r.value for r in rules if r.metric == metric and r.op in (">", ">=")]
    return min(found) if found else None


def storage_capacity(plan: Plan) -> tuple[float, str] | None:
    """The built tier's `500GB storage capacity`, else the next storage trigger."""
    if plan.built_tier:
        for line in plan.tier(plan.built_tier).capacity:
            found = _CAPACITY.search(line)
            if found:
                size = float(found.group(1).replace(",", ""))
                return (size * 1000 if found.group(2).upper() == "TB" else size), line
    limit = storage_limit(plan)
    return (limit.gb, limit.text) if limit else None


def p95_target(plan: Plan) -> float | None:
    """The built tier's `API p95` target in ms (`< 500ms`)."""
    for target in plan.targets:
        if "p95" in target.metric.lower() and "api" in target.metric.lower():
            values = target.values
            text = values[min(plan.built_tier, len(values) - 1)]
            found = _TARGET.search(text)
            if found:
                number = float(found.group(1).replace(",", ""))
                return number * 1000 if found.group(2).lower() == "s" else number
    return None


def plan_limits(plan: Plan) -> list[Limit]:
    m = plan.reality.metrics
    found: list[Limit] = []
    cpu = cpu_threshold(plan)
    if cpu is not None:
        found.append(Limit("cpu", "API CPU", m.cpu, cpu, "%", f"CPU > {cpu:g}%"))
    c = plan.formulas.connections
    if c is not None:
        found.append(
            Limit(
                "connections",
                "Database connections",
                m.connections,
                float(c.max_connections),
                "connections",
                f"{c.max_connections} connections max",
            )
        )
    storage = storage_capacity(plan)
    if storage is not None:
        found.append(Limit("storage", "Storage", m.storage, storage[0], "GB", storage[1]))
    p95 = p95_target(plan)
    if p95 is not None:
        target = f"Tier {plan.built_tier} target p95 < {p95:g}ms"
        found.append(Limit("p95", "API p95", m.p95, p95, "ms", target))
    money = float(budget(plan))
    if money > 0:
        # Named in the plan's money wherever it is built (the digest builds it outside an answer).
        held = fmt_money(Decimal(round(money)), symbol=plan.currency_symbol)
        where = f"Tier {plan.built_tier} budget {held}/mo"
        found.append(Limit("budget", "Budget", plan.cost_metric, money, "$", where))
    return found
