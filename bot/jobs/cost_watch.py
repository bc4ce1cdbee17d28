"""What the bills add to one evaluation tick: the cost every budget rule uses, and the
month's cost rules (forecast, components, unassigned) with their samples."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.commands.bill_cost import bill_cost
from bot.commands.spend import gather_spend
from bot.deps import Deps
from bot.domain.monitoring import AlertState, Event, Sample
from bot.domain.plan import Plan
from bot.monitor.cost_alerts import COST_PREFIX, CostWatch, cost_watch

__all__ = ["MARK_PREFIX", "cost_inputs", "fired_marks"]

# A cost rule that fired this month, in the store's marks (one row a rule a month).
MARK_PREFIX = "cost-fired:"


def cost_inputs(
    deps: Deps, plan: Plan, now: datetime, states: Mapping[str, AlertState]
) -> tuple[CostWatch, Sample | None]:
    """The month's cost rules (none until a bill covers the month) and the bills' month so
    far as a sample of the plan's cost metric (None: pushed samples still count)."""
    store = deps.store
    found = bill_cost(store.costs, now)
    if found is None:
        return CostWatch(), None
    sample = Sample(metric=plan.cost_metric, at=now, value=float(found.amount))
    result = gather_spend(store.costs, plan, now)
    candidates = cost_watch(plan, result, now, states, ())
    fired = {r.id for r in candidates.rules if store.tiers.mark(MARK_PREFIX + r.id) is not None}
    return cost_watch(plan, result, now, states, fired), sample


def fired_marks(events: list[Event]) -> dict[str, int]:
    """The marks to store for cost rules that fired this tick."""
    return {
        MARK_PREFIX + e.rule_id: 1
        for e in events
        if e.kind == "firing" and e.rule_id.startswith(COST_PREFIX)
    }
