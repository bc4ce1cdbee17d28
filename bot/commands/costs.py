"""Commands that price the plan: cost per unit of growth, break-even and margin."""

from __future__ import annotations

from decimal import Decimal

from bot.commands.args import extra_words, parse_decimal, parse_users
from bot.commands.missing import missing_section
from bot.commands.router import Context
from bot.domain.costs import break_even, cost_for_users, cost_per_user, tier_costs
from bot.domain.money import fmt_number, fmt_percent_span
from bot.domain.span import span
from bot.domain.story import REACHED, SIZED, reached_text, sized_text
from bot.domain.values import fmt_amount, fmt_count
from bot.reply import Facts, Prose, Reply, Table, Text, Typed

__all__ = ["breakeven", "cost"]


def cost(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    unit, units = plan.growth_unit, plan.unit_plural
    users = parse_users("cost", args[0], "cost 5000", units=units, unit=unit) if args else 0
    if len(args) > 1:
        raise extra_words("cost", args[1:], f"one {unit} count at most", "cost 5000", after=args[0])
    period = plan.unit_period
    # A unit of use (orders a month) costs per one, not per month or year.
    yearly = bool(period)
    counted = "" if yearly else " a month"
    if args:
        found, per_user = cost_for_users(plan, users)
        beyond = users > (plan.tiers[-1].users)
        notes = (
            (
                f"{fmt_number(users)} {units} is beyond the plan's largest tier "
                f"({fmt_number(plan.tiers[-1].users)}); the figure uses it anyway.",
            )
            if beyond
            else ()
        )
        facts = [
            (SIZED, sized_text(plan, users)),
            (REACHED, reached_text(plan, users)),
            ("Monthly cost", f"{fmt_amount(found.total_span)}/mo"),
            (f"Cost per {unit}", per_user.monthly_text(period)),
        ]
        if yearly:
            facts.append((f"Per {unit} per year", per_user.yearly_text()))
        return Reply(
            title=f"Cost for {fmt_number(users)} {units}{counted}",
            parts=(Facts(pairs=tuple(facts)),),
            notes=notes,
        )
    rows = []
    for row in tier_costs(plan)[1:]:
        per_user = cost_per_user(row.total_span, row.users)
        cells = (
            f"Tier {row.number} ({fmt_number(row.users)} {units}{counted})",
            f"{fmt_amount(row.total_span)}/mo",
            per_user.monthly_text(period),
        )
        rows.append((*cells, per_user.yearly_text()) if yearly else cells)
    columns = ("Tier", "Total cost", f"Cost per {unit}", "Per year")
    return Reply(
        title=f"Cost per {unit}",
        parts=(
            Table(
                columns=columns if yearly else columns[:3],
                rows=tuple(rows),
                numeric=(False, True, True, True) if yearly else (False, True, True),
            ),
            Text(f"Cost per {unit} falls as we scale (economies of scale)."),
        ),
        notes=(Prose("`", Typed("cost 5000"), f"` prices any {unit} count."),),
    )


def breakeven(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if len(args) > 1:
        raise extra_words("breakeven", args[1:], "one price at most", "breakeven 30", after=args[0])
    if plan.pricing is None and not args:
        return missing_section("breakeven", plan)
    typed = parse_decimal(args[0], "the price", "breakeven 30", money=True) if args else None
    pricing = plan.pricing_or(typed or Decimal(1))
    price = pricing.price_span if typed is None else span(typed)
    rows = []
    for row in break_even(plan, price):
        rows.append(
            (
                f"Tier {row.tier}",
                f"{fmt_amount(row.cost_span)}/mo",
                f"{fmt_count(row.customers_span)} {pricing.plural}",
                f"{fmt_count(row.healthy_span)} {pricing.plural}",
                # Paying customers a month: revenue a month, whatever the price's period.
                f"{fmt_amount(row.revenue_span)}/{pricing.period or 'mo'}",
                fmt_percent_span(row.margin_span.low, row.margin_span.high),
            )
        )
    multiple = fmt_number(pricing.healthy_multiple)
    notes = []
    if not price.exact or any(not r.cost_span.exact for r in break_even(plan, price)):
        notes.append(
            "Ranges run from the lowest cost at the highest price to the highest cost at the "
            "lowest price: the lowest margin is the lowest price against the highest cost."
        )
    return Reply(
        title=f"Break-even at {pricing.per_customer(fmt_amount(price))}",
        parts=(
            Table(
                columns=(
                    "Tier",
                    "Cost",
                    "Break-even",
                    "Healthy (the plan's)"
                    if pricing.healthy_counts
                    else f"Healthy ({multiple}x cost)",
                    "Revenue",
                    "Margin",
                ),
                rows=tuple(rows),
                numeric=(False, True, True, True, True, True),
            ),
        ),
        notes=(
            f"Break-even rounds up to whole paying {pricing.plural}; "
            + (
                f"healthy margin at the {pricing.plural} the plan names for each tier."
                if pricing.healthy_counts
                else f"healthy margin covers {multiple}x the cost"
                + (
                    f", rounded up to a multiple of {pricing.healthy_step}."
                    if pricing.healthy_step > 1
                    else "."
                )
            ),
            *notes,
        ),
    )
