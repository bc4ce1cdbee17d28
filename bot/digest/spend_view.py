"""The month's bills as a reader sees them: the per-component table, cost per user and
margin, movers, unassigned lines. Shared by `spend`, Home and the digest. Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from bot.digest.data import DigestInput
from bot.domain.costs import cost_per_user
from bot.domain.money import ceil_to_step, fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.spend import Spend
from bot.domain.values import Money, Value
from bot.reply import Facts, Part, Section, Table

__all__ = ["MONTHS", "digest_cost_parts", "month_label", "spend_parts", "spend_table"]

MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTHS = MONTHS


def month_label(month: datetime) -> str:
    """`December 2026`."""
    return f"{_MONTHS[month.month - 1].capitalize()} {month.year}"


def _pct(value: Decimal | None, sign: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{fmt_number(round(value))}%"
    return f"+{text}" if sign and value > 0 else text


def spend_table(result: Spend) -> Table:
    """Per component: planned, the month so far, the forecast, share of budget, vs plan."""
    budget = result.budget
    rows: list[tuple[Value, ...]] = []
    for c in (*result.components, result.unassigned):
        if not c.planned and not c.actual and not c.forecast:
            continue  # a component of later tiers, nothing planned or spent yet
        share = c.forecast * 100 / budget if budget else None
        rows.append(
            (
                c.name,
                Money(c.planned) if c.planned is not None else "—",
                Money(c.actual),
                Money(c.forecast),
                _pct(share),
                _pct(c.over_percent, sign=True),
            )
        )
    if result.unplaced:
        rows.append(("Unplaced (no split)", Money(result.unplaced), "—", "—", "—", "—"))
    rows.append(
        (
            "Total",
            Money(budget),
            Money(result.actual),
            Money(result.forecast),
            _pct(result.forecast * 100 / budget if budget else None),
            _pct((result.forecast - budget) * 100 / budget if budget else None, sign=True),
        )
    )
    return Table(
        columns=("Component", "Planned", "Month so far", "Forecast", "Of budget", "vs plan"),
        rows=tuple(rows),
        numeric=(False, True, True, True, True, True),
    )


def spend_parts(result: Spend, users: float | None, plan: Plan) -> list[Part]:
    """`spend`'s body: the table, cost per user and margin, movers, unassigned lines."""
    budget = result.budget
    parts: list[Part] = [spend_table(result)]
    facts: list[tuple[str, Value]] = []
    tier_users = plan.baseline.users if result.tier == 0 else plan.tier(result.tier).users
    period = plan.unit_period
    planned_cpu = cost_per_user(budget, tier_users).monthly_text(period)
    per = f"Cost per {plan.growth_unit}"
    if users and users > 0:
        actual_cpu = result.forecast / Decimal(str(users))
        facts.append(
            (
                per,
                f"{fmt_money(round(actual_cpu, 4))}{'/' if period else ''}{period} forecast at"
                f" {fmt_number(round(users))}"
                f" {plan.unit_plural} (plan: {planned_cpu} at {fmt_number(tier_users)})",
            )
        )
    else:
        facts.append((per, f"plan: {planned_cpu}; no `{plan.users_metric}` sample yet"))
    facts.extend(_margin_facts(result, plan))
    parts.append(Facts(pairs=tuple(facts)))
    if result.movers:
        previous = month_label(result.previous_month)
        parts.append(
            Section(
                f"Largest movers against {previous}",
                tuple(
                    f"{m.name}: {fmt_money(m.before)} → {fmt_money(m.now)}"
                    f" ({fmt_money(m.change, sign=True)})"
                    for m in result.movers
                ),
            )
        )
    if result.unassigned_lines:
        parts.append(
            Section(
                f"Unassigned: {fmt_money(result.unassigned.actual)}"
                f" ({_pct(result.unassigned_share)} of the month); the rule that would catch each",
                tuple(
                    f"{line.label}: {fmt_money(line.amount)} → `{line.rule}`"
                    for line in result.unassigned_lines
                ),
            )
        )
    return parts


def _margin_facts(result: Spend, plan: Plan) -> list[tuple[str, Value]]:
    """Break-even and the healthy margin at the plan's price, forecast beside plan."""
    pricing = plan.pricing
    if pricing is None:
        return []  # a plan that states no price: no margin to show
    price, budget, forecast = pricing.price, result.budget, result.forecast
    planned_even = int((budget / price).to_integral_value(rounding=ROUND_CEILING))
    actual_even = int((forecast / price).to_integral_value(rounding=ROUND_CEILING))
    healthy = max(
        ceil_to_step(budget * pricing.healthy_multiple / price, pricing.healthy_step), planned_even
    )
    revenue = healthy * price
    label = f"{fmt_number(healthy)} {pricing.plural if healthy != 1 else pricing.customer}"
    return [
        (
            f"Break-even at {pricing.priced(fmt_money(price))}",
            f"{fmt_number(actual_even)} {pricing.plural} at the forecast"
            f" (plan: {fmt_number(planned_even)})",
        ),
        (
            f"Margin with {label}",
            f"{_pct((revenue - forecast) * 100 / revenue)} at the forecast"
            f" (plan: {_pct((revenue - budget) * 100 / revenue)})",
        ),
    ]


def digest_cost_parts(inp: DigestInput, facts: Facts) -> list[Part]:
    """The digest's cost section: the budget facts, then the bills' table when they cover
    the month."""
    result = inp.spend
    if result is None or not result.covered:
        return [facts]
    return [facts, spend_table(result)]
