"""Tier projections, cost per user, break-even and margin: the plan's cost model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from bot.domain.money import ceil_to_step, fmt_money, fmt_percent, round_to
from bot.domain.plan import ComponentChange, Plan, Pricing, Tier

__all__ = [
    "BreakEven",
    "CostPerUser",
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
    """One tier's monthly cost against the tier before it (tier 0 is the baseline)."""

    number: int
    name: str
    users: int
    previous_total: Decimal
    total: Decimal
    changes: tuple[ComponentChange, ...]
    rounding: str

    @property
    def change(self) -> Decimal:
        return self.total - self.previous_total

    @property
    def change_percent(self) -> Decimal | None:
        if self.previous_total == 0:
            return None
        return self.change * 100 / self.previous_total

    def summary(self) -> str:
        """`$95/mo -> $415/mo (+$320/mo, +337%)`, as the template writes it."""
        head = f"{fmt_money(self.previous_total)}/mo -> {fmt_money(self.total)}/mo"
        delta = f"{fmt_money(self.change, sign=True)}/mo"
        percent = self.change_percent
        if percent is None:
            return f"{head} ({delta})"
        return f"{head} ({delta}, {fmt_percent(percent, self.rounding, sign=True)})"


def tier_costs(plan: Plan) -> list[TierCost]:
    """Tier 0 (baseline budget) then each tier: previous total plus its cost changes."""
    rows = [
        TierCost(
            0,
            plan.baseline.name,
            plan.baseline.users,
            plan.baseline.budget,
            plan.baseline.budget,
            (),
            plan.percent_rounding,
        )
    ]
    total = plan.baseline.budget
    for number, tier in enumerate(plan.tiers, start=1):
        new_total = total + sum((c.cost_change for c in tier.changes), Decimal(0))
        rows.append(
            TierCost(
                number, tier.name, tier.users, total, new_total, tier.changes, plan.percent_rounding
            )
        )
        total = new_total
    return rows


@dataclass(frozen=True)
class CostPerUser:
    monthly: Decimal
    yearly: Decimal

    def monthly_text(self) -> str:
        """Exact figure, and the template's 3-decimal figure beside it when they differ.

        `$0.0415/mo (~$0.041)`; a figure that does not end within a millionth of a dollar
        is shown to four significant digits: `~$0.002315/mo`, `~$13.33/mo`.
        """
        exponent = self.monthly.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            places = 2 if self.monthly >= 1 else 3 - self.monthly.adjusted()
            return f"~{fmt_money(round_to(self.monthly, places, 'half_up').normalize())}/mo"
        exact = fmt_money(self.monthly)
        short = round_to(self.monthly, 3, "half_down")
        if short == self.monthly:
            return f"{exact}/mo"
        return f"{exact}/mo (~{fmt_money(short)})"

    def yearly_text(self) -> str:
        cents = round_to(self.yearly, 2, "half_up")
        prefix = "" if cents == self.yearly else "~"
        return f"{prefix}${cents:,.2f}/yr"


def cost_per_user(total: Decimal, users: int) -> CostPerUser:
    monthly = total / users
    return CostPerUser(monthly=monthly.normalize(), yearly=(monthly * 12).normalize())


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
    return tier, cost_per_user(tier.total, users)


@dataclass(frozen=True)
class BreakEven:
    tier: int
    cost: Decimal
    price: Decimal
    customers: int  # paying customers so revenue covers cost
    healthy_customers: int  # revenue covers `multiple` x cost, rounded up to the plan's step
    multiple: Decimal

    @property
    def healthy_revenue(self) -> Decimal:
        return self.healthy_customers * self.price

    @property
    def healthy_margin_percent(self) -> Decimal:
        revenue = self.healthy_revenue
        return (revenue - self.cost) * 100 / revenue


def break_even(plan: Plan, price: Decimal | None = None) -> list[BreakEven]:
    """Break-even and healthy-margin customers for each tier above the baseline; a plan
    without pricing needs `price` (the defaults of Pricing stand for the rest)."""
    pricing = plan.pricing or Pricing(price=price or Decimal(1))
    price = pricing.price if price is None else price
    if price <= 0:
        raise ValueError("price must be more than zero")
    rows = []
    for tier in tier_costs(plan)[1:]:
        customers = int((tier.total / price).to_integral_value(rounding=ROUND_CEILING))
        healthy = ceil_to_step(tier.total * pricing.healthy_multiple / price, pricing.healthy_step)
        rows.append(
            BreakEven(
                tier.number,
                tier.total,
                price,
                customers,
                max(healthy, customers),
                pricing.healthy_multiple,
            )
        )
    return rows


def tier_label(plan: Plan, number: int) -> str:
    if number == 0:
        return f"Tier 0 ({plan.baseline.name})"
    tier: Tier = plan.tier(number)
    return f"Tier {number}: {tier.name}"
