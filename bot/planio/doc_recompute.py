"""Which figures of a team's cost-model lines the bot recomputes, tier by tier.

Cost per user, break-even, healthy-margin customers, revenue and margin are the plan's
arithmetic: when a cost changes they change, and the team's lines carry them. A line
belongs to the tier it names (`- Tier 2 ($415/mo cost): ...`) or to the `**Tier 2**` block
it sits in (up to the next blank line). Tables are the team's own (a cost breakdown's
columns are the team's figures, not the bot's).
"""

from __future__ import annotations

import re

from bot.domain.costs import BreakEven, break_even, cost_per_user, tier_costs
from bot.domain.money import round_to
from bot.domain.plan import Plan
from bot.domain.span import Span
from bot.planio.doc_figures import Pairs

__all__ = ["Pairs", "money_pairs", "span_pairs"]

_TIER = re.compile(r"\btier\s+(\d+)\b", re.IGNORECASE)
_MONEY_TITLE = re.compile(
    r"^##\s+.*(cost model|revenue|cost per|break-even|break even)", re.IGNORECASE
)


def span_pairs(was: Span | None, now: Span | None) -> Pairs:
    """(figure the line states, figure to write) for each bound; a single figure that has
    become a range is written as one (`$115` -> `$115-145`)."""
    if was is None or now is None:
        return []
    if was.exact:
        return [(was.low, now.low if now.exact else (now.low, now.high))]
    return [(was.low, now.low), (was.high, now.high)]


def _rounded(value: Span) -> Span:
    return Span(round_to(value.low, 0, "half_up"), round_to(value.high, 0, "half_up"))


def _coverage(was: BreakEven, now: BreakEven) -> Pairs:
    pairs = span_pairs(was.cost_span, now.cost_span)
    pairs += span_pairs(was.customers_span, now.customers_span)
    pairs += span_pairs(was.healthy_span, now.healthy_span)
    pairs += span_pairs(was.revenue_span, now.revenue_span)
    return pairs + span_pairs(_rounded(was.margin_span), _rounded(now.margin_span))


def _tier_figures(was: Plan, now: Plan) -> dict[int, Pairs]:
    """Tier number -> (figure for the document's plan, figure for `now`), in the order a
    cost-model line gives them."""
    figures: dict[int, Pairs] = {}
    for old, new in zip(tier_costs(was)[1:], tier_costs(now)[1:], strict=True):
        pairs = span_pairs(old.total_span, new.total_span)
        a, b = cost_per_user(old.total_span, old.users), cost_per_user(new.total_span, new.users)
        pairs += [(a.monthly, b.monthly)]
        if a.monthly_high is not None and b.monthly_high is not None:
            pairs += [(a.monthly_high, b.monthly_high)]
        pairs += [(a.yearly, b.yearly)]
        figures[old.number] = pairs
    if was.pricing is not None and now.pricing is not None:
        for row_was, row_now in zip(break_even(was), break_even(now), strict=True):
            figures.setdefault(row_was.tier, []).extend(_coverage(row_was, row_now))
    return figures


def money_pairs(was: Plan, now: Plan, lines: list[str]) -> dict[int, Pairs]:
    """Source line (1-based) of each cost-model line naming a tier -> its figure pairs."""
    if len(was.tiers) != len(now.tiers):
        return {}
    figures = _tier_figures(was, now)
    out: dict[int, Pairs] = {}
    inside, tier = False, None
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            inside, tier = bool(_MONEY_TITLE.match(line)), None
            continue
        if not line.strip():
            tier = None
            continue
        named = _TIER.search(line)
        if named:
            tier = int(named.group(1))
        if inside and tier in figures and not line.lstrip().startswith("|"):
            out[number] = figures[tier]
    return out
