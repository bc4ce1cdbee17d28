"""Which cost the budget rules use: the bills' month so far once bills cover the month,
else the newest pushed sample of the plan's cost metric (`cost_usd`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.monitoring import Sample
from bot.domain.plan import Plan
from bot.domain.spend import month_bounds
from store.costs import CostStore

__all__ = ["BillCost", "bill_cost", "cost_source", "with_bill_cost"]


@dataclass(frozen=True)
class BillCost:
    """This month so far from the bills, and how far into the month they reach."""

    amount: Decimal
    covered_until: datetime


def bill_cost(costs: CostStore, now: datetime) -> BillCost | None:
    """This month's cost so far from the bills; None when no bill covers this month yet."""
    start, _ = month_bounds(now)
    covered = costs.covered_until(start, now)
    if covered is None:
        return None
    total = sum(s.amount for s in costs.sums(start, now))
    return BillCost(Decimal(str(round(total, 2))), covered)


def with_bill_cost(
    plan: Plan, costs: CostStore, now: datetime, latest: Mapping[str, Sample | None]
) -> dict[str, Sample | None]:
    """`latest` with the cost metric read from the bills when they cover this month: the
    value every budget rule, `status` and Home then use."""
    found = bill_cost(costs, now)
    out = dict(latest)
    if found is not None:
        out[plan.cost_metric] = Sample(metric=plan.cost_metric, at=now, value=float(found.amount))
    return out


def cost_source(plan: Plan, costs: CostStore, now: datetime) -> str:
    """What `status` says the month's cost was taken from."""
    found = bill_cost(costs, now)
    if found is not None:
        return f"bills, through {found.covered_until:%-d %b %H:%M} UTC"
    return f"pushed {plan.cost_samples()} (no bill covers this month yet)"
