"""Tier projections, cost per user, break-even and margin: the plan's cost model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from bot.domain.money import (
    ceil_to_step,
    currency_symbol,
    fmt_money,
    fmt_money_span,
    round_to,
)
from bot.domain.plan import ComponentChange, Plan, Pricing, Tier
from bot.domain.span import Span, span
from bot.domain.values import fmt_amount, fmt_percent_change

__all__ = [
    "BreakEven",
    "CostPerUser",
    "Coverage",
    "TierCost",
    "break_even",
    "cost_for_users",
    "cost_per_user",
    "current_tier",
    "tier_costs",
    "tier_for_users",
]


@dataclass(frozen=True)
class TierCost:
    """One tier's monthly cost against the tier before it (tier 0 is the baseline).

    Figures are spans: a tier whose costs were given as ranges costs a range. The team's
    stated figures win over the sums (`computed` keeps the sum for check-plan). The plain
    figures (`total`, `change`) are the upper bounds: a range is met up to its upper bound.
    """

    number: int
    name: str
    users: int
    previous: Span
    total_span: Span
    change_span: Span
    percent_span: Span | None  # None when the tier before costs nothing
    changes: tuple[ComponentChange, ...]
    rounding: str
    computed: Span  # the tier before plus the component changes

    @property
    def total(self) -> Decimal:
        return self.total_span.high

    @property
    def previous_total(self) -> Decimal:
        return self.previous.high

    @property
    def change(self) -> Decimal:
        return self.change_span.high

    @property
    def change_percent(self) -> Decimal | None:
        return None if self.percent_span is None else self.percent_span.high

    def summary(self) -> str:
        """`$95/mo -> $415/mo (+$320/mo, +337%)`, as the template writes it; ranges as
        ranges (`$35–50/mo -> $90–120/mo (+$55–70/mo, +110–140%)`)."""
        head = f"{fmt_amount(self.previous)}/mo -> {fmt_amount(self.total_span)}/mo"
        delta = f"{fmt_amount(self.change_span, sign=True)}/mo"
        if self.percent_span is None:
            return f"{head} ({delta})"
        return f"{head} ({delta}, {fmt_percent_change(self.percent_span, self.rounding)})"


def _percent(change: Span, previous: Span) -> Span | None:
    if previous.low <= 0:
        return None
    return change.over(previous).times(100)


def _stated(low: Decimal | None, high: Decimal | None) -> Span | None:
    return None if low is None else span(low, high)


def tier_costs(plan: Plan) -> list[TierCost]:
    """Tier 0 (baseline budget) then each tier: the tier before plus its cost changes, or
    the figures the team stated for it."""
    budget = plan.baseline.budget_span
    rows = [
        TierCost(
            0,
            plan.baseline.name,
            plan.baseline.users,
            budget,
            budget,
            span(0),
            None,
            (),
            plan.percent_rounding,
            budget,
        )
    ]
    previous = budget
    stated = plan.stated_figures == "kept"  # "computed": the arithmetic wins
    for number, tier in enumerate(plan.tiers, start=1):
        summed = sum((c.cost_span for c in tier.changes), span(0))
        total = _stated(tier.stated_total, tier.stated_total_high) if stated else None
        change = _stated(tier.stated_change, tier.stated_change_high) if stated else None
        if change is None:
            exact = total is not None and total.exact and previous.exact
            change = total - previous if total is not None and exact else summed
        if total is None:
            total = previous + change
        percent = _stated(tier.stated_percent, tier.stated_percent_high) if stated else None
        rows.append(
            TierCost(
                number,
                tier.name,
                tier.users,
                previous,
                total,
                change,
                percent if percent is not None else _percent(change, previous),
                tier.changes,
                plan.percent_rounding,
                previous + summed,
            )
        )
        previous = total
    return rows


@dataclass(frozen=True)
class CostPerUser:
    monthly: Decimal
    yearly: Decimal
    # The top of the range when the cost is a range; None for one figure.
    monthly_high: Decimal | None = None

    def monthly_text(self, period: str = "mo") -> str:
        """Exact figure, and the template's 3-decimal figure beside it when they differ.

        `$0.0415/mo (~$0.041)`; a figure that does not end within a millionth of a dollar
        is shown to four significant digits: `~$0.002315/mo`, `~$13.33/mo`. A range shows
        both ends that way: `~$0.0018–0.0025/mo`. `period` empty: a cost per unit of use
        (`$0.0063–0.0068` an order), with no `/mo`.
        """
        per = f"/{period}" if period else ""
        if self.monthly_high is not None and self.monthly_high != self.monthly:
            low, high = _brief(self.monthly), _brief(self.monthly_high)
            approx = "~" if (low, high) != (self.monthly, self.monthly_high) else ""
            return f"{approx}{fmt_money_span(low, high)}{per}"
        exponent = self.monthly.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            return f"~{fmt_money(_short(self.monthly))}{per}"
        exact = fmt_money(self.monthly)
        # Below a dollar the template's three decimals; above it, cents (`~€11.78`).
        if self.monthly >= 1:
            short = round_to(self.monthly, 2, "half_up")
        else:
            short = round_to(self.monthly, 3, "half_down")
        if short == self.monthly:
            return f"{exact}{per}"
        return f"{exact}{per} (~{fmt_money(short)})"

    def yearly_text(self) -> str:
        if self.monthly_high is not None and self.monthly_high != self.monthly:
            low = round_to(self.yearly, 2, "half_up")
            high = round_to(self.monthly_high * 12, 2, "half_up")
            return f"~{fmt_money_span(low, high)}/yr"
        cents = round_to(self.yearly, 2, "half_up")
        prefix = "" if cents == self.yearly else "~"
        return f"{prefix}{currency_symbol()}{cents:,.2f}/yr"


def _brief(value: Decimal) -> Decimal:
    """One end of a range of costs per user: to the cent from a dollar up, else to two
    significant digits (`$5.13`, `$0.042`, `$0.0063`): cents alone would make a range
    below a dollar one figure (`$0.0252–0.027` is not `$0.03`)."""
    if value >= 1:
        return round_to(value, 2, "half_up")
    return round_to(value, 1 - value.adjusted(), "half_up").normalize()


def _short(value: Decimal) -> Decimal:
    """Four significant digits below a dollar, cents above: how a long quotient is shown."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -6:
        return value
    places = 2 if value >= 1 else 3 - value.adjusted()
    return round_to(value, places, "half_up").normalize()


def cost_per_user(total: Decimal | Span, users: int) -> CostPerUser:
    bounds = span(total).per(users).normalize()
    return CostPerUser(
        monthly=bounds.low,
        yearly=(bounds.low * 12).normalize(),
        monthly_high=None if bounds.exact else bounds.high,
    )


def tier_for_users(plan: Plan, users: int) -> int:
    """The smallest tier (0 = baseline) sized for `users`; the top tier beyond that."""
    if users <= plan.baseline.users:
        return 0
    for number, tier in enumerate(plan.tiers, start=1):
        if users <= tier.users:
            return number
    return len(plan.tiers)


def current_tier(plan: Plan, users: float | None) -> int:
    """The tier we are on: the highest whose user trigger has been crossed.

    A tier's triggers say we are *approaching* it (the template sets MAU > 800 for the
    1,000-user tier), so 1,060 users is tier 1, and tier 2 comes at MAU > 8,000. A tier
    without a trigger on the users metric is reached once users pass the tier before it.
    """
    if users is None:
        return 0
    reached = 0
    previous = plan.baseline.users
    for number, tier in enumerate(plan.tiers, start=1):
        rules = [
            t.rule
            for t in tier.triggers
            if t.rule is not None and t.rule.metric == plan.users_metric
        ]
        crossed = any(rule.holds(users) for rule in rules) if rules else users > previous
        if crossed:
            reached = number
        previous = tier.users
    return reached


def cost_for_users(plan: Plan, users: int) -> tuple[TierCost, CostPerUser]:
    tier = tier_costs(plan)[tier_for_users(plan, users)]
    return tier, cost_per_user(tier.total_span, users)


@dataclass(frozen=True)
class Coverage:
    """Customers that cover one cost at one price."""

    cost: Decimal
    price: Decimal
    customers: int  # paying customers so revenue covers cost
    healthy_customers: int  # revenue covers `multiple` x cost, rounded up to the plan's step

    @property
    def healthy_revenue(self) -> Decimal:
        return self.healthy_customers * self.price

    @property
    def healthy_margin_percent(self) -> Decimal:
        revenue = self.healthy_revenue
        return (revenue - self.cost) * 100 / revenue


@dataclass(frozen=True)
class BreakEven:
    """A tier's break-even at its two ends: the cheap end (lowest cost, highest price) and
    the dear end (highest cost, lowest price). One figure each: the ends are the same."""

    tier: int
    cheap: Coverage
    dear: Coverage
    multiple: Decimal

    # The dear end is the one to plan for: the most customers, the lowest margin.
    @property
    def cost(self) -> Decimal:
        return self.dear.cost

    @property
    def price(self) -> Decimal:
        return self.dear.price

    @property
    def customers(self) -> int:
        return self.dear.customers

    @property
    def healthy_customers(self) -> int:
        return self.dear.healthy_customers

    @property
    def healthy_revenue(self) -> Decimal:
        return self.dear.healthy_revenue

    @property
    def healthy_margin_percent(self) -> Decimal:
        return self.dear.healthy_margin_percent

    @property
    def cost_span(self) -> Span:
        return Span(self.cheap.cost, self.dear.cost)

    @property
    def customers_span(self) -> Span:
        return Span(Decimal(self.cheap.customers), Decimal(self.dear.customers))

    @property
    def healthy_span(self) -> Span:
        return Span(Decimal(self.cheap.healthy_customers), Decimal(self.dear.healthy_customers))

    @property
    def revenue_span(self) -> Span:
        ends = sorted((self.cheap.healthy_revenue, self.dear.healthy_revenue))
        return Span(ends[0], ends[1])

    @property
    def margin_span(self) -> Span:
        ends = sorted((self.cheap.healthy_margin_percent, self.dear.healthy_margin_percent))
        return Span(ends[0], ends[1])


def _coverage(
    cost: Decimal, price: Decimal, multiple: Decimal, step: int, stated: int | None = None
) -> Coverage:
    customers = int((cost / price).to_integral_value(rounding=ROUND_CEILING))
    if stated is not None:
        return Coverage(cost, price, customers, stated)
    healthy = ceil_to_step(cost * multiple / price, step)
    return Coverage(cost, price, customers, max(healthy, customers))


def break_even(plan: Plan, price: Decimal | Span | None = None) -> list[BreakEven]:
    """Break-even and healthy-margin customers for each tier above the baseline, at both
    ends of the ranges: the lowest price against the highest cost, and the reverse. A plan
    without pricing needs `price` (Pricing's defaults stand for the rest)."""
    pricing = plan.pricing or Pricing(price=price if isinstance(price, Decimal) else Decimal(1))
    prices = pricing.price_span if price is None else span(price)
    if prices.low <= 0:
        raise ValueError("price must be more than zero")
    multiple, step = pricing.healthy_multiple, pricing.healthy_step
    rows = []
    counts = pricing.healthy_counts
    for tier in tier_costs(plan)[1:]:
        stated = counts[tier.number - 1] if tier.number <= len(counts) else None
        cheap = _coverage(tier.total_span.low, prices.high, multiple, step, stated)
        dear = _coverage(tier.total_span.high, prices.low, multiple, step, stated)
        rows.append(BreakEven(tier.number, cheap, dear, multiple))
    return rows


def tier_label(plan: Plan, number: int) -> str:
    if number == 0:
        return f"Tier 0 ({plan.baseline.name})"
    tier: Tier = plan.tier(number)
    return f"Tier {number}: {tier.name}"
