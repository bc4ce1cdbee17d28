"""Rules whose threshold lies outside their metric's range: `cpu_pct > 120` can never fire
(a percentage stops at 100), `mau < 0` neither; `cpu_pct < 150` holds for every sample.
Either way the rule does not watch what its author meant. Pure."""

from __future__ import annotations

from collections.abc import Iterator

from bot.domain.metric import Metric
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule

__all__ = ["out_of_range_rules", "range_verdict"]


def range_verdict(rule: MetricRule, metric: Metric) -> str | None:
    """ "can never fire" or "holds for every sample" when the threshold lies outside (or on
    the far edge of) `metric`'s range; None for a rule that can both hold and not."""
    low, high = metric.bounds
    value, op = rule.value, rule.op
    if op in (">", ">="):
        if high is not None and (value > high or (op == ">" and value == high)):
            return "can never fire"
        if low is not None and (value < low or (op == ">=" and value == low)):
            return "holds for every sample"
        return None
    if low is not None and (value < low or (op == "<" and value == low)):
        return "can never fire"
    if high is not None and (value > high or (op == "<=" and value == high)):
        return "holds for every sample"
    return None


def out_of_range_rules(plan: Plan) -> Iterator[str]:
    """One warning a rule, with its location: `thresholds[4].rule: storage_pct > 180% can
    never fire: storage_pct ranges 0% to 100%`. Budget-relative rules are left out (their
    value is a share of the budget, not a sample)."""
    for where, rule in plan.metric_rules():
        metric = plan.metric(rule.metric)
        if metric is None or rule.of_budget:
            continue
        verdict = range_verdict(rule, metric)
        if verdict:
            yield (
                f"{where}: {rule.metric} {rule.op} {metric.shown(rule.value)} {verdict}:"
                f" {rule.metric} ranges {metric.range_text()}"
            )
