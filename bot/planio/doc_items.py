"""The amounts on a team's own cost lines (its cost lists, the budget, the price), as the
plan gives them now.

A baseline item (`- Railway: $30 (API)`) states its own cost. In a `## Tiers` document each
tier lists what every component costs in that tier (`- Web service: $340`), and the plan
holds the change from the tier before: a component's amount is its amount a tier earlier
(the line the reader matched it to, `tiers[0].changes[0].current`) plus the change. So an
edited change moves its component's line and the lines that carry that component on, each
written back in the team's words; a removed component has no line to move.
"""

from __future__ import annotations

from decimal import Decimal

from bot.domain.plan import Plan
from bot.domain.span import Span, span
from bot.planio.doc_money import amounts
from bot.planio.doc_recompute import Pairs, span_pairs

__all__ = ["item_pairs"]


def _amounts(plan: Plan, lines: dict[str, int]) -> dict[int, Span]:
    """Document line -> the amount `plan` gives the item on it."""
    amounts: dict[int, Span] = {}
    for index, item in enumerate(plan.baseline.line_items):
        at = lines.get(f"baseline.line_items[{index}]")
        if at:
            amounts[at] = item.cost_span
    for number, tier in enumerate(plan.tiers):
        for index, change in enumerate(tier.changes):
            where = f"tiers[{number}].changes[{index}]"
            at, before = lines.get(f"{where}.new"), lines.get(f"{where}.current")
            if not at or (before and before not in amounts):
                continue
            amounts[at] = (amounts[before] if before else span(0)) + change.cost_span
    return amounts


def item_pairs(was: Plan, now: Plan, lines: dict[str, int], text: list[str]) -> dict[int, Pairs]:
    """Source line (1-based) of each cost line whose amount moved -> (the amount the
    document `text` states, the plan's). `was` is the plan the document itself gives. A
    line that writes its amount twice (`$29/mo (~€27/mo)`, `~£24/year (~£2/mo)`) is left
    as it is: one of the two cannot follow the other in the team's words, so the edit
    stays in the appendix."""
    if len(was.tiers) != len(now.tiers):
        return {}
    before, after = _amounts(was, lines), _amounts(now, lines)
    budget = lines.get("baseline.budget")
    if budget:  # the line that states the budget: `**Budget**: $40/mo total`
        before[budget], after[budget] = was.baseline.budget_span, now.baseline.budget_span
    pairs: dict[int, Pairs] = {}
    heading = lines.get("baseline.users")  # `### Tier 0: Seed (50 teams)`
    if heading and was.baseline.users != now.baseline.users:
        pairs[heading] = [(Decimal(was.baseline.users), Decimal(now.baseline.users))]
    for number, (old, new) in enumerate(zip(was.tiers, now.tiers, strict=True)):
        heading = lines.get(f"tiers[{number}]")  # `### Tier 1: 10x Growth (100 → 1,000 users)`
        if heading and old.users != new.users:
            pairs[heading] = [(Decimal(old.users), Decimal(new.users))]
    price = lines.get("pricing")
    if price and was.pricing is not None and now.pricing is not None:
        before[price], after[price] = was.pricing.price_span, now.pricing.price_span
    for line, amount in before.items():
        if line in after and after[line] != amount and len(amounts(text[line - 1])) == 1:
            pairs[line] = span_pairs(amount, after[line])
    return pairs
