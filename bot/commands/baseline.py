"""`tier 0`: the baseline, where the product stands now (the template's "Current Scale")."""

from __future__ import annotations

from bot.commands.plan_sections import tier_sections
from bot.domain.costs import cost_per_user, tier_label
from bot.domain.money import fmt_number
from bot.domain.plan import Plan
from bot.domain.tiers import budget_words
from bot.domain.values import fmt_amount
from bot.reply import Facts, Part, Prose, Reply, Section, Table, Text, Typed

__all__ = ["baseline"]


def baseline(plan: Plan) -> Reply:
    """Tier 0: where the product stands now, as the plan's baseline section says."""
    base = plan.baseline
    items = base.line_items
    # A figure the document leaves out is not shown as a zero it never wrote.
    stated = [
        ("Requests", base.requests_note, base.requests_per_day, f"{base.requests_per_day:,}/day"),
        ("Storage", base.storage_note, base.storage_gb, f"{fmt_number(base.storage_gb)}GB"),
        ("Database", base.database_note, base.database_gb, f"{fmt_number(base.database_gb)}GB"),
    ]
    parts: list[Part] = [
        Text(f"**Monthly budget**: {budget_words(plan, 0)}"),
        Facts(
            pairs=(
                (plan.unit_plural.capitalize(), base.users_note or fmt_number(base.users)),
                *((label, note or shown) for label, note, value, shown in stated if note or value),
                (
                    f"Cost per {plan.growth_unit}",
                    cost_per_user(base.budget_span, base.users).monthly_text(plan.unit_period),
                ),
            )
        ),
    ]
    if items:
        parts.append(
            Table(
                title="Line items",
                columns=("Service", "Cost", "Note"),
                rows=tuple((i.name, f"{fmt_amount(i.cost_span)}/mo", i.note) for i in items),
                numeric=(False, True, False),
            )
        )
    if base.constraints:
        parts.append(Section("Constraints", base.constraints))
    parts += tier_sections(plan, 0)  # the document's own text under tier 0
    return Reply(
        title=tier_label(plan, 0),
        parts=tuple(parts),
        notes=(Prose("`", Typed("tier 1"), "` shows the first growth tier."),),
    )
