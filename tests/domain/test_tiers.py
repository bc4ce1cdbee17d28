"""Demand tier against built tier: the gap's words and cost, the budget, what to watch."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from bot.domain.tiers import budget, gap_cost, gap_text, next_trigger, with_built


@pytest.mark.parametrize(
    ("demand", "built", "users", "text"),
    [
        (
            2,
            0,
            9000,
            "Trigger reached: Tier 2 (MAU 9,000 > 8,000), sized for Tier 2, Tier 0 is built: "
            "plan the Tier 1 and Tier 2 changes (+$375/mo)",
        ),
        (
            1,
            0,
            850,
            "Trigger reached: Tier 1 (MAU 850 > 800), sized for Tier 1, Tier 0 is built: "
            "plan the Tier 1 changes"
            " (+$55/mo)",
        ),
        (
            3,
            1,
            90_000,
            "Trigger reached: Tier 3 (MAU 90,000 > 80,000), sized for Tier 3, Tier 1 is built: "
            "plan the Tier 2 and Tier 3 changes (+$2,220/mo)",
        ),
        (
            1,
            2,
            900,
            "Trigger reached: Tier 1 (MAU 900 > 800), sized for Tier 1, Tier 2 is built: no gap",
        ),
        (0, 0, None, "Trigger reached: Tier 0 (no MAU data yet), Tier 0 is built: no gap"),
    ],
)
def test_gap_text_names_demand_built_and_the_cost_between(
    plan: Plan, demand: int, built: int, users: float | None, text: str
) -> None:
    assert gap_text(plan, demand, built, users) == text


def test_budget_and_gap_cost_follow_the_template(plan: Plan) -> None:
    assert [budget(with_built(plan, n)) for n in range(4)] == [40, 95, 415, 2315]
    assert gap_cost(plan, 2, 0) == Decimal(375)
    assert gap_cost(plan, 1, 2) == 0


def test_a_recorded_tier_beyond_the_plan_means_its_top_tier(plan: Plan) -> None:
    assert with_built(plan, 9).built_tier == 3
    assert with_built(plan, None) is plan


def test_next_trigger_is_the_closest_of_the_tier_above_demand_and_built(plan: Plan) -> None:
    watch = next_trigger(plan, 1, {"mau": 1200, "api_p95_ms": 780, "db_cpu_pct": 20})
    assert watch is not None and watch.tier == 2 and watch.text == "API p95 > 800ms"
    nothing = next_trigger(plan, 0, {})
    assert nothing is not None and nothing.tier == 1 and nothing.rule.metric == "mau"
    assert next_trigger(with_built(plan, 3), 0, {}) is None


def test_plan_built_tier_is_checked(plan: Plan) -> None:
    data = plan.model_dump(by_alias=True)
    with pytest.raises(ValidationError, match="built_tier"):
        Plan.model_validate({**data, "built_tier": 4})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cost_usd > 150% of budget", ("cost_usd", ">", 150.0, 0, True)),
        ("cpu_pct > 70 for 1h", ("cpu_pct", ">", 70.0, 3600, False)),
        ("cpu_pct<30 for 15 min", ("cpu_pct", "<", 30.0, 900, False)),
    ],
)
def test_a_rule_may_be_written_as_text(
    text: str, expected: tuple[str, str, float, int, bool]
) -> None:
    rule = MetricRule.model_validate(text)
    assert (rule.metric, rule.op, rule.value, rule.for_seconds, rule.of_budget) == expected


def test_relative_rule_measured_against_a_budget() -> None:
    rule = MetricRule.model_validate("cost_usd > 150% of budget")
    assert rule.describe() == "cost_usd > 150% of budget"
    assert rule.against_budget(95).value == pytest.approx(142.5)
    with pytest.raises(ValueError, match="against_budget"):
        rule.holds(1)
    with pytest.raises(ValidationError, match="not a rule"):
        MetricRule.model_validate("cost is high")


def test_only_thresholds_may_be_relative_to_the_budget(plan: Plan) -> None:
    data = plan.model_dump(by_alias=True)
    data["tiers"][0]["triggers"][0]["rule"] = "mau > 150% of budget"
    with pytest.raises(ValidationError, match="only an alert threshold"):
        Plan.model_validate(data)


def test_default_plan_cost_threshold_is_the_template_rule_at_tier_zero(plan: Plan) -> None:
    (cost,) = [t for t in plan.thresholds if t.rule.metric == "cost_usd"]
    assert cost.text == "> $60/mo (Tier 0)"
    assert cost.rule.of_budget and cost.rule.against_budget(float(budget(plan))).value == 60
