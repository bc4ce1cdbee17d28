"""What the Slack Home tab shows, as a Reply: where we stand, the budget, what comes next."""

from __future__ import annotations

from decimal import Decimal

from bot.commands.router import Context, Router
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money, fmt_number
from bot.reply import Facts, Reply, Section, Text

__all__ = ["apology_reply", "home_reply"]


def home_reply(
    ctx: Context,
    router: Router,
    *,
    current_tier: int = 0,
    month_cost: Decimal | None = None,
) -> Reply:
    """The Home tab. `current_tier` and `month_cost` come from live data when there is some;
    without it the plan's own baseline stands in (its line items against its budget)."""
    plan = ctx.plan
    costs = tier_costs(plan)
    current_tier = max(0, min(current_tier, plan.tier_count))
    here = costs[current_tier]
    budget = here.total
    if month_cost is None:
        month_cost = (
            sum((item.cost for item in plan.baseline.line_items), Decimal(0))
            if current_tier == 0
            else here.total
        )
    left = budget - month_cost
    status = "within budget" if left >= 0 else "over budget"
    parts: list[Text | Facts | Section] = [
        Facts(
            pairs=(
                ("Current tier", f"{current_tier}: {here.name}"),
                ("Users planned", fmt_number(here.users)),
                ("This month", f"{fmt_money(month_cost)} of {fmt_money(budget)}/mo budget"),
                ("Budget", f"{fmt_money(abs(left))} {'left' if left >= 0 else 'over'} ({status})"),
            )
        )
    ]
    if current_tier < plan.tier_count:
        nxt = plan.tier(current_tier + 1)
        triggers = tuple(t.text for t in nxt.triggers) or ("No triggers set in the plan.",)
        parts.append(
            Section(
                f"Next: tier {current_tier + 1} ({nxt.name}), when any of these holds", triggers
            )
        )
    else:
        parts.append(Text("This is the plan's top tier."))
    parts.append(
        Section("Commands", tuple(f"`/capacity {c.usage}`: {c.summary}" for c in router.commands))
    )
    return Reply(
        title=f"{plan.product}: capacity",
        parts=tuple(parts),
        notes=(f"Updated {ctx.now:%Y-%m-%d %H:%M} UTC.",),
    )


def apology_reply(reference: str) -> Reply:
    """What a person sees when something broke on our side: short, with a reference."""
    return Reply(
        title="Sorry, something went wrong",
        parts=(
            Text(
                "capacity-bot hit a problem answering that. Please try again in a moment; "
                f"if it keeps happening, tell whoever runs the bot the reference **{reference}**."
            ),
        ),
        notes=(f"Reference: {reference}",),
        error=True,
    )
