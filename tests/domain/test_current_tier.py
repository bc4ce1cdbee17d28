"""Which tier we are on follows the plan's user triggers ("approaching" a tier)."""

from __future__ import annotations

import pytest

from bot.domain.costs import current_tier
from bot.domain.plan import Plan


@pytest.mark.parametrize(
    ("users", "tier"),
    [
        (None, 0),
        (50, 0),
        (800, 0),
        (801, 1),
        (1_060, 1),
        (8_000, 1),
        (8_412, 2),
        (80_001, 3),
        (10**7, 3),
    ],
)
def test_current_tier_on_the_default_plan(plan: Plan, users: float | None, tier: int) -> None:
    assert current_tier(plan, users) == tier


@pytest.mark.parametrize(("users", "tier"), [(150, 0), (151, 1), (300, 2), (1_001, 3), (20_001, 5)])
def test_tiers_without_a_user_trigger_are_reached_past_the_tier_before(
    second_plan: Plan, users: float, tier: int
) -> None:
    # Second plan: tier 1 has "Shows > 150"; tiers 2-4 have no user trigger.
    assert current_tier(second_plan, users) == tier
