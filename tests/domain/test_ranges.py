"""Figures given as ranges and in other currencies: interval arithmetic and how they read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.domain.checks import plan_warnings, stated_differences
from bot.domain.costs import break_even, cost_per_user, tier_costs
from bot.domain.money import fmt_money, in_currency
from bot.domain.plan import Plan
from bot.domain.span import Span, range_text, span
from bot.domain.values import Money, fmt_amount, fmt_percent_change, shown
from bot.planio.planfile import default_plan


def _ranged(**tier1: object) -> Plan:
    """The worked example with a $35-50 budget and tier 1's first change as +$10-25."""
    data = default_plan().model_dump(by_alias=True)
    data["baseline"]["budget"], data["baseline"]["budget_high"] = 35, 50
    data["baseline"]["line_items"] = []
    data["tiers"][0]["changes"][0]["cost_change"] = "+10-25"
    data["tiers"][0].update(tier1)
    return Plan.model_validate(data)


@pytest.mark.parametrize(
    ("low", "high", "sign", "text"),
    [
        (35, 50, False, "$35–50"),
        (10, 25, True, "+$10–25"),
        (40, 40, False, "$40"),
        (-5, 10, True, "-$5 to +$10"),
        (Decimal("0.5"), Decimal("1.25"), False, "$0.50–1.25"),
    ],
)
def test_a_range_reads_as_people_write_it(low: int, high: int, sign: bool, text: str) -> None:
    assert fmt_amount(span(low, high), sign=sign) == text


def test_amounts_are_written_in_the_plans_currency() -> None:
    with in_currency("EUR"):
        assert fmt_money(Decimal(18)) == "€18"
        assert fmt_amount(span(35, 50), sign=True) == "+€35–50"
        made = Money(Decimal(20))
    with in_currency("CHF"):
        assert fmt_money(Decimal(-5)) == "-CHF 5"
    # A typed amount keeps the currency it was made in, wherever it is rendered.
    assert shown(made) == "€20"
    assert fmt_money(Decimal(20)) == "$20"


@pytest.mark.parametrize(
    ("text", "bounds"),
    [("35-50", (35, 50)), ("+$10–25", (10, 25)), ("-10-25", (-25, -10)), ("9 to 15", (9, 15))],
)
def test_a_plan_file_may_write_a_range(text: str, bounds: tuple[int, int]) -> None:
    assert range_text(text) == (Decimal(bounds[0]), Decimal(bounds[1]))


def test_a_range_upside_down_is_refused() -> None:
    data = default_plan().model_dump(by_alias=True)
    data["baseline"]["budget_high"] = 10
    with pytest.raises(ValidationError, match="budget_high"):
        Plan.model_validate(data)


def test_tier_costs_over_ranges_are_intervals() -> None:
    costs = tier_costs(_ranged())
    assert costs[0].total_span == Span(Decimal(35), Decimal(50))
    one = costs[1]
    assert one.change_span == Span(Decimal(45), Decimal(60))
    assert one.total_span == Span(Decimal(80), Decimal(110))
    # The smallest percentage is the smallest change against the largest budget.
    assert one.summary() == "$35–50/mo -> $80–110/mo (+$45–60/mo, +90–171%)"
    # A range is met up to its upper bound.
    assert (one.total, one.previous_total) == (Decimal(110), Decimal(50))


def test_cost_per_user_and_break_even_give_ranges() -> None:
    plan = _ranged()
    assert cost_per_user(tier_costs(plan)[1].total_span, 1000).monthly_text() == "$0.08–0.11/mo"
    data = plan.model_dump(by_alias=True)
    data["pricing"]["price"], data["pricing"]["price_high"] = 20, 25
    row = break_even(Plan.model_validate(data))[0]
    # Fewest customers: the lowest cost at the highest price; most: the reverse.
    assert (row.cheap.customers, row.dear.customers) == (4, 6)
    assert row.cost_span == Span(Decimal(80), Decimal(110))
    # The lowest margin is the lowest price against the highest cost.
    assert row.margin_span.low == row.dear.healthy_margin_percent


def test_the_teams_stated_figures_are_what_answers_show() -> None:
    plan = _ranged(stated_change=75, stated_percent=58, stated_total=120)
    one = tier_costs(plan)[1]
    assert one.summary() == "$35–50/mo -> $120/mo (+$75/mo, +58%)"
    differences = stated_differences(plan, 1)
    # The change that is off explains the total: one line for one difference.
    assert differences == [
        "tiers[0].stated_change: says +$75/mo but the component changes add up to +$45–60/mo",
        "tiers[0].stated_percent: says +58% but the figures give +150–214%",
    ]
    assert all(line in plan_warnings(plan) for line in differences)
    # The next tier starts from the stated total.
    assert tier_costs(plan)[2].previous == span(120)


def test_percent_ranges_collapse_when_both_ends_round_alike() -> None:
    assert fmt_percent_change(span(Decimal("137.4"), Decimal("137.5")), "half_down") == "+137%"
    assert fmt_percent_change(span(30, 70)) == "+30–70%"


def test_a_budget_range_is_met_up_to_its_upper_bound_and_says_so() -> None:
    from bot.domain.tiers import budget, budget_words
    from bot.monitor.rules_from_plan import rules_from_plan

    plan = _ranged()
    assert budget(plan) == Decimal(50)
    assert budget_words(plan) == "$35–50/mo (held to the upper bound, $50/mo)"
    # The worked example's cost threshold is 150% of the built tier's budget: of $50, not $35.
    cost = next(r for r in rules_from_plan(plan) if r.rule.metric == "cost_usd")
    assert cost.rule.value == 75
    assert cost.rule.holds(75.01) and not cost.rule.holds(74.99)
    assert "held to the upper bound, $50/mo" in cost.title


def test_a_yaml_plan_takes_ranges_a_currency_and_a_unit() -> None:
    from bot.planio.planfile import default_plan_text, parse_plan
    from tests.conftest import answer

    text = default_plan_text().replace("budget: 40", 'budget: "35-50"', 1)
    text += "currency: EUR\ngrowth_unit: workspace\n"
    plan = parse_plan(text)
    assert plan.baseline.budget_span == Span(Decimal(35), Decimal(50))
    tiers = answer("tiers", plan)
    assert "€35–50/mo" in tiers and "Workspaces" in tiers and "Cost per workspace" in tiers
    assert "$" not in tiers
