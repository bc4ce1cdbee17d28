"""Everything `spend` needs from the cost store, gathered once for the command, Home, the
digest and the cost watch."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from bot.domain.plan import Plan
from bot.domain.spend import DAY, Spend, month_bounds, run_rate_window, spend
from store.costs import CostStore

__all__ = ["gather_spend"]


def gather_spend(
    costs: CostStore, plan: Plan, now: datetime, month: datetime | None = None
) -> Spend:
    """Everything `spend` needs from the cost store, for `month` (default: now's)."""
    start, end = month_bounds(month or now)
    cut = min(now, end)
    spread_until = costs.spread_until(start, cut)
    window = run_rate_window(start, spread_until)
    previous = month_bounds(start - DAY)
    result = spend(
        plan,
        now,
        start,
        so_far=costs.sums(start, cut),
        recent=costs.sums(*window) if window else [],
        previous=costs.sums(*previous),
        covered_until=costs.covered_until(start, cut),
        spread_until=spread_until,
    )
    allocated = costs.opencost_total(start, cut)
    if not allocated:
        return result
    return replace(result, opencost=Decimal(str(round(allocated, 2))))
