"""What each component costs at each tier, where the plan's changes name cost-list entries.

A plan read from a document that lists each tier's costs (the `## Tiers` shape) stores a
tier's changes as "this entry of the last list becomes that entry of this one, +$N";
the amounts of the lists are then the baseline's line items carried through the
changes. Kept as a sum, not as stored figures, so an edited cost moves every later
tier's amount with it. Pure.
"""

from __future__ import annotations

from bot.domain.plan import Plan
from bot.domain.span import Span, span
from bot.domain.values import fmt_amount

__all__ = ["ABSENT", "change_sides", "component_costs"]

ABSENT = "—"  # the side of a change where the component is not in the list


def component_costs(plan: Plan) -> list[dict[str, Span]] | None:
    """Each list's amounts by entry name, the baseline first (index = tier number); None
    when the changes do not name the entries of the list before them (the template's
    shape: "t3.micro → t3.small"), where per-component amounts are not in the plan."""
    lists = [{item.name: item.cost_span for item in plan.baseline.line_items}]
    for tier in plan.tiers:
        before = lists[-1]
        after = dict(before)
        for change in tier.changes:
            if change.current != ABSENT and change.current not in before:
                return None
            was = before[change.current] if change.current != ABSENT else span(0)
            after.pop(change.current, None)
            if change.new != ABSENT:
                after[change.new] = was + change.cost_span
        lists.append(after)
    return lists


def change_sides(plan: Plan, number: int) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """Tier `number`'s changes as (before, after) cells, and whether they are amounts: the
    amount of each entry where the changes name the cost lists' entries (their names alone
    would say the component twice), the infrastructure the change names otherwise."""
    lists = component_costs(plan)

    def cell(side: str, at: int) -> str:
        if lists is None or side == ABSENT:
            return side
        return f"{fmt_amount(lists[at][side])}/mo"

    changes = plan.tier(number).changes
    return lists is not None, tuple(
        (cell(c.current, number - 1), cell(c.new, number)) for c in changes
    )
