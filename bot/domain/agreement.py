"""The plan agrees with itself: a trigger's words and its rule state the same condition."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from bot.domain.costs import tier_costs
from bot.domain.plan import Plan
from bot.domain.rule_text import RuleContext, TextRule, parse_rule_text
from bot.domain.rules import MetricRule, format_duration

__all__ = ["disagreements", "rule_context", "worded_rules"]


def rule_context(plan: Plan) -> RuleContext:
    """The words the plan's texts may use: its metrics, their usual names, its limits."""
    connections = plan.formulas.connections
    limits = {"db_connections": Decimal(connections.max_connections)} if connections else {}
    return RuleContext.build(
        [(m.name, m.unit, m.description) for m in plan.metrics],
        limits=limits,
        targets={t.metric: t.values[0] for t in plan.targets if t.values},
    )


def worded_rules(plan: Plan) -> Iterator[tuple[str, str, MetricRule | None]]:
    """(location, text, rule) for every trigger and threshold that has words."""
    for t, tier in enumerate(plan.tiers):
        for g, trigger in enumerate(tier.triggers):
            yield f"tiers[{t}].triggers[{g}]", trigger.text, trigger.rule
    for s, scaling in enumerate(plan.scaling_triggers):
        yield f"scaling_triggers[{s}]", scaling.text, scaling.rule
    if plan.auto_scaling:
        for a, auto in enumerate(plan.auto_scaling.rules):
            yield f"auto_scaling.rules[{a}]", auto.text, auto.rule
    for h, threshold in enumerate(plan.thresholds):
        if threshold.text:
            yield f"thresholds[{h}]", f"{threshold.name} {threshold.text}", threshold.rule


def _value(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _difference(read: TextRule, rule: MetricRule) -> str | None:
    said = read.rule
    if said.metric != rule.metric:
        return f"text reads as {said.metric}, rule watches {rule.metric}"
    if said.of_budget != rule.of_budget:
        return f"text says {read.number_text}, rule says {rule.describe()}"
    if said.value != rule.value:
        return f"text says {read.number_text}, rule says {_value(rule.value)}"
    if said.op != rule.op:
        return f"text says {said.op}, rule says {rule.op}"
    if said.for_seconds != rule.for_seconds:
        text_for = format_duration(said.for_seconds) if said.for_seconds else "no duration"
        rule_for = format_duration(rule.for_seconds) if rule.for_seconds else "no duration"
        return f"text says {text_for}, rule says {rule_for}"
    return None


_TIER = re.compile(r"\(\s*tier\s*(\d+)\s*\)", re.IGNORECASE)


def _absolute(text: str, rule: MetricRule, plan: Plan) -> MetricRule:
    """A rule relative to the budget, at the tier the text names (`(Tier 0)`), else the
    baseline: "> $60/mo (Tier 0)" against `cost_usd > 150% of budget` agrees at $40."""
    if not rule.of_budget:
        return rule
    named = _TIER.search(text)
    costs = tier_costs(plan)
    number = int(named.group(1)) if named else 0
    budget = costs[number].total if number < len(costs) else costs[0].total
    return rule.against_budget(float(budget))


def disagreements(plan: Plan) -> tuple[list[str], list[str]]:
    """(errors, warnings): a text whose number is in the rule metric's own unit must state
    the rule's number, operator and duration; a number read through an assumption (a
    percentage of a count, "target") or another metric is only a warning."""
    errors: list[str] = []
    warnings: list[str] = []
    ctx = rule_context(plan)
    for where, text, rule in worded_rules(plan):
        if rule is None:
            continue
        read = parse_rule_text(text, ctx)
        if read is None:
            continue
        relative = rule.of_budget and not read.rule.of_budget
        difference = _difference(read, _absolute(text, rule, plan) if relative else rule)
        if difference is None:
            continue
        if read.exact and read.rule.metric == rule.metric and not relative:
            errors.append(f"{where}: {difference}")
        else:
            warnings.append(f"{where}: {difference} (check the wording)")
    return errors, warnings
