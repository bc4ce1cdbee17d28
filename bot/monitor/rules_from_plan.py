"""The plan's triggers and thresholds as monitor `Rule`s, with stable ids. Pure."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from bot.domain.money import fmt_money, fmt_number
from bot.domain.monitoring import Rule
from bot.domain.plan import MonitorThreshold, Plan
from bot.domain.rules import MetricRule
from bot.domain.tiers import budget, budget_words

__all__ = ["rules_from_plan", "runbook_for"]


def runbook_for(plan: Plan, metric: str, explicit: str | None) -> str | None:
    """The scenario id that fits: the plan's own choice, else a scenario naming the metric."""
    if explicit is not None:
        return explicit
    return next((s.id for s in plan.scenarios if metric in s.metrics), None)


def rules_from_plan(plan: Plan) -> list[Rule]:
    """Every watchable rule of the plan.

    Ids depend only on where a rule sits among rules of the same metric, so adding a rule
    for another metric never renames an alert (its stored state and silences survive):
    `tier2.mau`, `scaling.cpu_pct.0`, `threshold.api_p95_ms.0`. Auto-scaling rules are
    left out: the platform acts on them, nobody needs a message.

    Tier triggers at or below `plan.built_tier` are inactive, and a threshold relative to
    the budget is measured against the built tier's budget.
    """
    rules: list[Rule] = []
    for number, tier in enumerate(plan.tiers, start=1):
        seen: Counter[str] = Counter()
        for trigger in tier.triggers:
            if trigger.rule is None:
                continue
            metric = trigger.rule.metric
            suffix = f".{seen[metric]}" if seen[metric] else ""
            seen[metric] += 1
            rules.append(
                Rule(
                    id=f"tier{number}.{metric}{suffix}",
                    kind="tier_trigger",
                    rule=trigger.rule,
                    title=f"approaching Tier {number}: {trigger.text}",
                    action=f"Plan the move to Tier {number} ({tier.name}):"
                    f" `/capacity tier {number}`; once it is in place,"
                    f" `/capacity built {number}`",
                    severity=trigger.severity,
                    runbook=runbook_for(plan, metric, None),
                    tier=number,
                    active=number > plan.built_tier,
                    remind=False,
                )
            )
    scaling: Counter[str] = Counter()
    for scaling_trigger in plan.scaling_triggers:
        metric = scaling_trigger.rule.metric
        rules.append(
            Rule(
                id=f"scaling.{metric}.{scaling[metric]}",
                kind="scaling",
                rule=scaling_trigger.rule,
                title=f"scaling trigger: {scaling_trigger.text}",
                action=scaling_trigger.action
                + (
                    f" (lead time: {scaling_trigger.lead_time})"
                    if scaling_trigger.lead_time
                    else ""
                ),
                severity=scaling_trigger.severity,
                runbook=runbook_for(plan, metric, scaling_trigger.runbook),
            )
        )
        scaling[metric] += 1
    thresholds: Counter[str] = Counter()
    for threshold in plan.thresholds:
        metric = threshold.rule.metric
        rule, detail = _threshold_rule(plan, threshold)
        rules.append(
            Rule(
                id=f"threshold.{metric}.{thresholds[metric]}",
                kind="threshold",
                rule=rule,
                title=f"{threshold.name} {detail}",
                action=f"Check {threshold.tool}" if threshold.tool else None,
                severity=threshold.severity,
                runbook=runbook_for(plan, metric, threshold.runbook),
            )
        )
        thresholds[metric] += 1
    return rules


def _threshold_rule(plan: Plan, threshold: MonitorThreshold) -> tuple[MetricRule, str]:
    """The rule to evaluate and how its title states it; a relative one names the budget."""
    rule = threshold.rule
    if not rule.of_budget:
        return rule, threshold.text or rule.describe(plan.unit(rule.metric))
    built = budget(plan)
    absolute = rule.against_budget(float(built))
    limit = fmt_money(Decimal(str(round(absolute.value, 2))))
    return absolute, (
        f"{rule.op} {limit}/mo ({fmt_number(rule.value)}% of the Tier {plan.built_tier}"
        f" budget, {budget_words(plan)})"
    )
