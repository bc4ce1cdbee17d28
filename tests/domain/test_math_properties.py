"""Properties of the arithmetic that must hold for any plan, not just the example."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.costs import break_even, tier_costs, tier_for_users
from bot.domain.plan import ComponentChange, Plan
from bot.domain.sizing import compute_for, storage_for
from bot.planio.planfile import default_plan

money = st.decimals(min_value=-500, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


def _with_changes(plan: Plan, changes: list[list[Decimal]]) -> Plan:
    # Totals the team stated win over the sums: these tiers state none.
    tiers = tuple(
        tier.model_copy(
            update={
                "stated_total": None,
                "changes": tuple(
                    ComponentChange(component=f"c{i}", current="a", new="b", cost_change=amount)
                    for i, amount in enumerate(amounts)
                ),
            }
        )
        for tier, amounts in zip(plan.tiers, changes, strict=False)
    )
    return plan.model_copy(update={"tiers": tiers})


@given(st.lists(st.lists(money, max_size=6), min_size=3, max_size=3))
def test_tier_total_is_previous_total_plus_its_changes(changes: list[list[Decimal]]) -> None:
    plan = _with_changes(default_plan(), changes)
    costs = tier_costs(plan)
    for before, after, amounts in zip(costs[:-1], costs[1:], changes, strict=True):
        assert after.previous_total == before.total
        assert after.total == before.total + sum(amounts, Decimal(0))


@given(st.decimals(min_value=Decimal("0.5"), max_value=10_000, places=2))
def test_break_even_revenue_covers_cost(price: Decimal) -> None:
    for row in break_even(default_plan(), price):
        assert row.customers * price >= row.cost
        assert (row.customers - 1) * price < row.cost
        assert row.healthy_revenue >= row.cost * row.multiple


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=1, max_value=10**7))
def test_more_users_never_need_less_storage(a: int, b: int) -> None:
    formula = default_plan().formulas.storage
    low, high = sorted((a, b))
    assert storage_for(formula, low).total_gb <= storage_for(formula, high).total_gb


@given(st.integers(min_value=1, max_value=10**6))
def test_user_count_falls_in_a_tier_that_serves_it(users: int) -> None:
    plan = default_plan()
    number = tier_for_users(plan, users)
    capacity = plan.baseline.users if number == 0 else plan.tier(number).users
    assert users <= capacity or number == plan.tier_count


@given(st.decimals(min_value=Decimal("0.1"), max_value=100_000, places=1))
def test_containers_always_cover_the_rate(rps: Decimal) -> None:
    estimate = compute_for(default_plan().formulas.compute, rps)
    for size, count in estimate.containers:
        assert size * count * estimate.per_vcpu >= rps
