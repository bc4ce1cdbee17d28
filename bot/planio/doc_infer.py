"""What a document shows only through its own figures: the rounding of its percentages,
the step of its healthy-margin counts and vCPU estimates, the totals it states, and cost
thresholds stated for one tier (`Cost > $60/mo (Tier 0)`) as shares of the budget."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.domain.money import ceil_to_step, round_to
from bot.planio.doc_read_model import Approx
from bot.planio.doc_read_scale import TierTotal
from bot.planio.doc_reader import Reader
from bot.planio.doc_stated import keep_stated

__all__ = ["infer"]

_STEPS = (1, 5, 10, 25, 50, 100, 500, 1000)


def _rounding(budget: Decimal, tiers: list[dict[str, Any]], totals: list[TierTotal]) -> str:
    """The rounding mode the document's own percentages use (137.5% written +137%). A stated
    total is the one answers show, so its percentage is reckoned from it; a percentage no
    mode gives (a slip of the pen) tells nothing and is passed over."""
    previous = budget
    modes = ["half_up", "half_down", "half_even"]
    for tier, (_line, stated, percent) in zip(tiers, totals, strict=False):
        summed = previous + sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        total = summed if stated is None else stated
        if percent is not None and previous:
            exact = (total - previous) * 100 / previous
            fitting = [m for m in modes if round_to(exact, 0, m) == percent]
            modes = fitting or modes
        previous = total
    return modes[0] if modes else "half_up"


def _totals(
    budget: Decimal, tiers: list[dict[str, Any]], totals: list[TierTotal]
) -> tuple[list[Decimal], list[Decimal]]:
    """Each tier's total as its changes make it, and as the plan keeps it: a stated total
    wins, and the next tier starts from it."""
    sums, kept, total = [], [], budget
    stated_totals = [stated for _line, stated, _pct in totals]
    for index, tier in enumerate(tiers):
        total += sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        sums.append(total)
        stated = stated_totals[index] if index < len(stated_totals) else None
        total = total if stated is None else stated
        kept.append(total)
    return sums, kept


def _step(values: list[Decimal], stated: list[int]) -> int | None:
    """The smallest rounding step that turns every exact figure into the stated one."""
    if not stated or len(values) < len(stated):
        return None
    for step in _STEPS:
        if all(ceil_to_step(v, step) == s for v, s in zip(values, stated, strict=False)):
            return step
    return None


def infer(
    data: dict[str, Any],
    reader: Reader,
    totals: list[TierTotal],
    approx: Approx,
    healthy: list[int],
    explicit_step: int | None,
    *,
    stated: bool = True,
) -> None:
    """What the document shows only through its own figures: rounding modes and steps;
    with `stated`, the figures its total lines state where they differ from the sums."""
    budget = data["baseline"]["budget"]
    data["percent_rounding"] = _rounding(budget, data["tiers"], totals)
    if not stated:
        totals = [(line, None, percent) for line, _total, percent in totals]
    sums, computed = _totals(budget, data["tiers"], totals)
    for index, (_line, total, _pct) in enumerate(totals):
        if total is not None and index < len(sums) and total != sums[index]:
            data["tiers"][index]["stated_total"] = total
    if stated:
        keep_stated(data, reader.stated)
    pricing = data["pricing"]
    if pricing and explicit_step is not None:
        pricing["healthy_step"] = explicit_step
    elif pricing and healthy and pricing["price"] > 0:
        multiple = pricing.get("healthy_multiple", Decimal(5))
        exact = [t * multiple / pricing["price"] for t in computed]
        step = _step(exact, healthy)
        if step is not None:
            pricing["healthy_step"] = step
        else:
            # Counts that follow no multiple of the cost are the team's own targets: they
            # are what break-even shows.
            pricing["healthy_counts"] = healthy
    _relative_costs(data, [budget, *computed])
    compute = data["formulas"].get("compute", {})
    if approx is not None and compute and compute["efficiency"] > 0:
        rps, stated_vcpus = approx
        exact = rps * compute["avg_response_seconds"] / compute["efficiency"]
        step = _step([exact], [int(stated_vcpus)])
        if step is not None:
            compute["approx_step"] = step


_TIER = re.compile(r"\(\s*tier\s*(\d+)\s*\)", re.IGNORECASE)


def _relative_costs(data: dict[str, Any], budgets: list[Decimal]) -> None:
    """ "Cost > $60/mo (Tier 0)": a cost threshold stated for one tier scales with the
    built tier, so it becomes a share of the budget (150% of Tier 0's $40)."""
    cost = data.get("cost_metric", "cost_usd")
    worded = [*data.get("thresholds", []), *data.get("scaling_triggers", [])]
    worded += [t for tier in data["tiers"] for t in tier.get("triggers", [])]
    for item in worded:
        rule, named = item.get("rule"), _TIER.search(str(item.get("text", "")))
        if not rule or rule["metric"] != cost or rule.get("of_budget") or named is None:
            continue
        number = int(named.group(1))
        if number >= len(budgets) or budgets[number] <= 0:
            continue
        share = Decimal(str(rule["value"])) * 100 / budgets[number]
        if share == share.quantize(Decimal("0.01")):
            rule["value"], rule["of_budget"] = float(share), True
