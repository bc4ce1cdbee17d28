"""What the Slack Home tab shows, as a Reply: where we stand, the budget, what comes next."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.commands.changes import recent_changes_section
from bot.commands.metrics import (
    delivery_part,
    firing_part,
    latest_values,
    next_tier_table,
    tier_now,
)
from bot.commands.reality import reality_summary
from bot.commands.router import Context, Router, apology_reply
from bot.commands.tiers import answering_store, live_plan, tier_facts
from bot.costs.bill_cost import bill_cost
from bot.costs.gather import gather_spend
from bot.digest.spend_view import spend_table
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money, fmt_number, in_currency
from bot.domain.values import Moment, Prose
from bot.reply import Facts, Part, Reply, Section, Table

__all__ = ["apology_reply", "home_reply"]


def _bills_part(ctx: Context) -> Table | None:
    """This month's bills per component against the plan, once a bill covers the month."""
    store = answering_store(ctx)
    if store is None or bill_cost(store.costs, ctx.now) is None:
        return None
    table = spend_table(gather_spend(store.costs, live_plan(ctx), ctx.now))
    return replace(table, title="What we pay this month (`/capacity spend`)")


def home_reply(ctx: Context, router: Router) -> Reply:
    """The Home tab: where we stand (live where there is data), what comes next, the
    alerts firing, the latest changes, and the commands; amounts in the plan's currency
    (Home is published outside the router)."""
    with in_currency(ctx.plan.currency):
        return _home_reply(ctx, router)


def _home_reply(ctx: Context, router: Router) -> Reply:
    plan = live_plan(ctx)
    latest = latest_values(ctx)
    number = tier_now(ctx, latest)
    here = tier_costs(plan)[plan.built_tier]
    budget = here.total
    cost = latest.get(plan.cost_metric)
    # Money is shown as measured only when it was: without a cost sample the figures are
    # the plan's, labelled as planned (no "left", nothing was spent that we know of).
    if cost is not None:
        month_cost = Decimal(str(round(cost.value, 2)))
        spent = f"{fmt_money(month_cost)} of {fmt_money(budget)}/mo budget (measured)"
        left = budget - month_cost
        standing = f"{fmt_money(abs(left))} {'left' if left >= 0 else 'over'}"
    else:
        spent = f"no cost data yet (no {plan.cost_samples('sample')})"
        standing = f"{fmt_money(budget)}/mo planned for Tier {plan.built_tier}"
        if plan.built_tier == 0:
            items = sum((item.cost for item in plan.baseline.line_items), Decimal(0))
            standing += f" (its line items: {fmt_money(items)}/mo planned)"
    users = latest.get(plan.users_metric)
    parts: list[Part] = [
        Facts(
            pairs=(
                *tier_facts(ctx, plan, latest),
                (
                    f"{plan.unit_plural.capitalize()} now",
                    fmt_number(round(users.value))
                    if users
                    else f"no `{plan.users_metric}` sample yet",
                ),
                ("This month", spent),
                ("Budget", standing),
            )
        ),
        next_tier_table(ctx, max(number, plan.built_tier), latest),
        *reality_summary(ctx, plan),
    ]
    delivery = delivery_part(ctx)
    if delivery is not None:
        parts.insert(1, delivery)
    bills = _bills_part(ctx)
    if bills is not None:
        parts.append(bills)
    firing = firing_part(ctx)
    if firing is not None:
        parts.append(firing)
    if ctx.store is not None:
        parts.append(recent_changes_section(ctx.store))
    parts.append(
        Section("Commands", tuple(f"`/capacity {c.usage}`: {c.summary}" for c in router.commands))
    )
    return Reply(
        title=plan.titled("Capacity"),
        parts=tuple(parts),
        notes=(Prose("Updated ", Moment(ctx.now, ctx.zone), "."),),
    )
