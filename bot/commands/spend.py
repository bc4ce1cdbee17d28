"""`/capacity spend [MONTH]`: what the bills say against the built tier's plan, per component."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

from bot.commands.args import extra_words
from bot.commands.router import Command, CommandError, Context
from bot.commands.tiers import answering_store, live_plan
from bot.domain.costs import cost_per_user
from bot.domain.money import ceil_to_step, fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.spend import DAY, Spend, month_bounds, run_rate_window, spend
from bot.domain.values import Money, Value
from bot.reply import Facts, Part, Reply, Section, Table, Text
from store.costs import CostStore

__all__ = ["COMMANDS", "gather_spend", "spend_parts", "spend_reply"]

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EXAMPLE = "spend 2026-11"


def gather_spend(
    costs: CostStore, plan: Plan, now: datetime, month: datetime | None = None
) -> Spend:
    """Everything `spend` needs from the cost store, for `month` (default: now's)."""
    start, end = month_bounds(month or now)
    cut = min(now, end)
    spread_until = costs.spread_until(start, cut)
    window = run_rate_window(start, spread_until)
    previous = month_bounds(start - DAY)
    return spend(
        plan,
        now,
        start,
        so_far=costs.sums(start, cut),
        recent=costs.sums(*window) if window else [],
        previous=costs.sums(*previous),
        covered_until=costs.covered_until(start, cut),
        spread_until=spread_until,
    )


def _month(text: str, now: datetime) -> datetime:
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if found and 1 <= int(found[2]) <= 12:
        return datetime(int(found[1]), int(found[2]), 1, tzinfo=UTC)
    name = text.casefold()
    matches = [i for i, m in enumerate(_MONTHS, start=1) if len(name) >= 3 and m.startswith(name)]
    if len(matches) == 1:
        year = now.year if matches[0] <= now.month else now.year - 1
        return datetime(year, matches[0], 1, tzinfo=UTC)
    raise CommandError(
        f"`{text[:20]}` is not a month: write it as 2026-11 or november.",
        example=_EXAMPLE,
    )


def _label(month: datetime) -> str:
    return f"{_MONTHS[month.month - 1].capitalize()} {month.year}"


def _pct(value: Decimal | None, sign: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{fmt_number(round(value))}%"
    return f"+{text}" if sign and value > 0 else text


def spend_parts(result: Spend, users: float | None, plan: Plan) -> list[Part]:
    """The answer's body, also the digest's and Home's cost section."""
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
    parts: list[Part] = [
        Table(
            columns=("Component", "Planned", "Month so far", "Forecast", "Of budget", "vs plan"),
            rows=tuple(rows),
            numeric=(False, True, True, True, True, True),
        )
    ]
    facts: list[tuple[str, Value]] = []
    tier_users = plan.baseline.users if result.tier == 0 else plan.tier(result.tier).users
    planned_cpu = cost_per_user(budget, tier_users).monthly_text()
    if users and users > 0:
        actual_cpu = result.forecast / Decimal(str(users))
        facts.append(
            (
                "Cost per user",
                f"{fmt_money(round(actual_cpu, 4))}/mo forecast at {fmt_number(round(users))}"
                f" users (plan: {planned_cpu} at {fmt_number(tier_users)})",
            )
        )
    else:
        facts.append(("Cost per user", f"plan: {planned_cpu}; no `{plan.users_metric}` sample yet"))
    facts.extend(_margin_facts(result, plan))
    parts.append(Facts(pairs=tuple(facts)))
    if result.movers:
        previous = _label(result.previous_month)
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
            f"Break-even at {fmt_money(price)}/{pricing.period}",
            f"{fmt_number(actual_even)} {pricing.plural} at the forecast"
            f" (plan: {fmt_number(planned_even)})",
        ),
        (
            f"Margin with {label}",
            f"{_pct((revenue - forecast) * 100 / revenue)} at the forecast"
            f" (plan: {_pct((revenue - budget) * 100 / revenue)})",
        ),
    ]


def spend_reply(result: Spend, users: float | None, plan: Plan) -> Reply:
    title = plan.titled(f"Spend, {_label(result.month)}: built Tier {result.tier}")
    if not result.covered and not result.movers:
        return Reply(
            title=title,
            parts=(
                Text(
                    f"No bill covers {_label(result.month)} yet. Import one:"
                    " `capacity-bot import-costs FILE` (a FOCUS export or a"
                    " date,vendor,amount CSV) or `POST /api/costs`."
                ),
            ),
        )
    notes: list[str] = []
    if result.covered_until is not None:
        notes.append(
            f"Bills reach {result.covered_until:%Y-%m-%d %H:%M} UTC; the forecast adds the"
            " last week's daily run rate to the month's end (monthly charges are counted once)."
        )
    return Reply(title=title, parts=tuple(spend_parts(result, users, plan)), notes=tuple(notes))


def _spend(args: list[str], ctx: Context) -> Reply:
    if len(args) > 1:
        raise extra_words("spend", args[1:], "at most a month", _EXAMPLE)
    month = _month(args[0], ctx.now) if args else None
    plan = live_plan(ctx)
    store = answering_store(ctx)
    if store is None:
        return Reply(title="Spend", parts=(Text("No database here: bills are not available."),))
    result = gather_spend(store.costs, plan, ctx.now, month)
    latest = store.metrics.latest(plan.users_metric)
    return spend_reply(result, latest.value if latest else None, plan)


COMMANDS = [
    Command(
        "spend",
        "spend [MONTH]",
        "spend",
        "Actual cost per component against the built tier's plan, month-end forecast,"
        " cost per user",
        _spend,
        reads=frozenset({"store", "clock"}),
    ),
]
