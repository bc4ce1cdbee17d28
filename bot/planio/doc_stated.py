"""The figures a team wrote on a tier's total line, kept where they differ from the sums.

The stated figure is what answers show (issue "Any team's document", item 9); a figure that
equals what the parts give is not kept, so a plan exported and read back is the same plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain.span import Span, span
from bot.domain.values import fmt_percent_change

__all__ = ["keep_stated"]

Stated = dict[int, dict[str, tuple[Decimal, Decimal]]]


def _put(tier: dict[str, Any], key: str, value: Span | None) -> None:
    tier.pop(key, None)
    tier.pop(f"{key}_high", None)
    if value is not None:
        tier[key] = value.low
        if not value.exact:
            tier[f"{key}_high"] = value.high


def _span(data: dict[str, Any], key: str) -> Span:
    return span(data[key], data.get(f"{key}_high"))


def keep_stated(data: dict[str, Any], stated: Stated) -> None:
    """Each tier's stated start, total, change and percentage, as plan data where they
    disagree with the tier before plus its component changes."""
    previous = _span(data["baseline"], "budget")
    rounding = data.get("percent_rounding", "half_up")
    for index, tier in enumerate(data["tiers"]):
        figures = stated.get(index, {})
        start = span(*figures["from"]) if "from" in figures else None
        _put(tier, "stated_from", start if start is not None and start != previous else None)
        summed = sum((_span(c, "cost_change") for c in tier.get("changes", [])), span(0))
        computed = previous + summed
        total = span(*figures["total"]) if "total" in figures else None
        kept = total if total is not None and total != computed else None
        _put(tier, "stated_total", kept)
        # The change the plan derives when no change is stated (costs.tier_costs).
        derived = kept - previous if kept and kept.exact and previous.exact else summed
        change = span(*figures["change"]) if "change" in figures else None
        _put(tier, "stated_change", change if change is not None and change != derived else None)
        effective = change if change is not None else derived
        percent = span(*figures["percent"]) if "percent" in figures else None
        differs = False
        if percent is not None and previous.low > 0:
            given = effective.over(previous).times(100)
            differs = fmt_percent_change(percent, rounding) != fmt_percent_change(given, rounding)
        _put(tier, "stated_percent", percent if differs else None)
        previous = kept if kept is not None else previous + effective
