"""The plan's triggers become rules with stable ids, actions and runbooks."""

from __future__ import annotations

from bot.domain.plan import Plan
from bot.monitor.rules_from_plan import rules_from_plan


def test_default_plan_rules_have_stable_unique_ids(plan: Plan) -> None:
    rules = rules_from_plan(plan)
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert ids == [r.id for r in rules_from_plan(plan)]
    assert {"tier2.mau", "scaling.cpu_pct.0", "threshold.api_p95_ms.0"} <= set(ids)


def test_tier_trigger_title_names_the_tier(plan: Plan) -> None:
    rule = {r.id: r for r in rules_from_plan(plan)}["tier2.mau"]
    assert rule.title == "approaching Tier 2: MAU > 8,000"
    assert rule.tier == 2 and rule.kind == "tier_trigger"
    assert rule.rule.value == 8000


def test_scaling_trigger_keeps_action_and_runbook(plan: Plan) -> None:
    rule = {r.id: r for r in rules_from_plan(plan)}["scaling.cpu_pct.0"]
    assert rule.action is not None and rule.action.startswith("Add API container")
    assert rule.runbook == "traffic-spike"
    assert rule.rule.for_seconds == 3600


def test_threshold_keeps_severity_and_runbook(plan: Plan) -> None:
    rules = {r.id: r for r in rules_from_plan(plan)}
    p95 = rules["threshold.api_p95_ms.0"]
    assert p95.severity == "p1" and p95.runbook == "traffic-spike"
    assert p95.rule.for_seconds == 600
    # A scenario listing the metric is the runbook when the plan names none.
    assert rules["tier2.db_cpu_pct"].runbook == "database-failure"


def test_adding_a_rule_for_another_metric_keeps_ids(plan: Plan) -> None:
    before = {r.id for r in rules_from_plan(plan)}
    extra = plan.scaling_triggers[0].model_copy(
        update={"rule": plan.scaling_triggers[0].rule.model_copy(update={"metric": "ram_pct"})}
    )
    changed = plan.model_copy(update={"scaling_triggers": (extra, *plan.scaling_triggers)})
    after = {r.id for r in rules_from_plan(changed)}
    assert before <= after
