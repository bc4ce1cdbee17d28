"""The plan agrees with itself: a text's number, operator and duration are its rule's."""

from __future__ import annotations

import pytest

from bot.domain.checks import plan_errors, plan_warnings
from bot.planio.planfile import PlanError, default_plan, default_plan_text, parse_plan

MAU = '{text: "MAU > 8,000", rule: {metric: mau, op: ">", value: 8000}}'


def test_the_default_plan_agrees_with_itself() -> None:
    assert plan_errors(default_plan()) == []
    assert not [w for w in plan_warnings(default_plan()) if "wording" in w]


@pytest.mark.parametrize(
    ("replacement", "problem"),
    [
        (
            '{text: "MAU > 8,000", rule: {metric: mau, op: ">", value: 9000}}',
            "tiers[1].triggers[0]: text says 8,000, rule says 9000",
        ),
        (
            '{text: "MAU > 8,000", rule: {metric: mau, op: ">=", value: 8000}}',
            "tiers[1].triggers[0]: text says >, rule says >=",
        ),
        (
            '{text: "MAU > 8,000 for 1 hour", rule: {metric: mau, op: ">", value: 8000, for: 2h}}',
            "tiers[1].triggers[0]: text says 1h, rule says 2h",
        ),
    ],
)
def test_a_text_that_says_another_rule_is_an_error_with_its_location(
    replacement: str, problem: str
) -> None:
    text = default_plan_text().replace(MAU, replacement)
    with pytest.raises(PlanError) as caught:
        parse_plan(text)
    assert problem in caught.value.problems


def test_a_number_read_through_an_assumption_is_only_a_warning() -> None:
    # "80%" of a count (the connection limit is 100) reads as 80; the rule says 90.
    old = 'rule: {metric: db_connections, op: ">", value: 80}\n    action: Add read replica'
    assert old in default_plan_text()
    plan = parse_plan(default_plan_text().replace(old, old.replace("80}", "90}")))
    assert any(w.startswith("scaling_triggers[2]: text says 80%") for w in plan_warnings(plan))


def test_a_rule_may_be_left_to_the_text() -> None:
    text = default_plan_text().replace(MAU, '{text: "MAU >= 8,500 for 2 hours"}')
    plan = parse_plan(text)
    rule = plan.tiers[1].triggers[0].rule
    assert rule is not None
    assert (rule.metric, rule.op, rule.value, rule.for_seconds) == ("mau", ">=", 8500, 7200)


STORAGE = 'text: "> 80% capacity", rule: {metric: storage_pct, op: ">", value: 80}'
SCALE_IN = 'text: CPU < 30% for 15 min, rule: {metric: cpu_pct, op: "<", value: 30, for: 15m}'


@pytest.mark.parametrize(
    ("old", "new", "warning"),
    [
        (
            STORAGE,
            STORAGE.replace("80", "180"),
            "thresholds[4].rule: storage_pct > 180% can never fire: storage_pct ranges 0% to 100%",
        ),
        (
            SCALE_IN,
            SCALE_IN.replace("30", "0"),
            "auto_scaling.rules[1].rule: cpu_pct < 0% can never fire: cpu_pct ranges 0% to 100%",
        ),
        (
            SCALE_IN,
            SCALE_IN.replace("30", "150"),
            "auto_scaling.rules[1].rule: cpu_pct < 150% holds for every sample",
        ),
    ],
)
def test_a_threshold_outside_its_metric_range_is_a_located_warning(
    old: str, new: str, warning: str
) -> None:
    assert old in default_plan_text()
    plan = parse_plan(default_plan_text().replace(old, new))
    assert any(w.startswith(warning) for w in plan_warnings(plan)), plan_warnings(plan)


def test_the_default_plan_has_no_rule_outside_its_range() -> None:
    assert not [w for w in plan_warnings(default_plan()) if "ranges" in w]
