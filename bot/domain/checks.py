"""Warnings about a valid plan that contradicts itself (check-plan prints them)."""

from __future__ import annotations

from bot.domain.agreement import disagreements
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_number
from bot.domain.plan import Plan
from bot.domain.rule_range import out_of_range_rules
from bot.domain.sizing import rps_per_vcpu, storage_for
from bot.domain.span import span
from bot.domain.values import fmt_amount, fmt_percent_change

__all__ = ["plan_errors", "plan_warnings", "stated_differences"]


def stated_differences(plan: Plan, number: int | None = None) -> list[str]:
    """Where the figures a team wrote down do not add up, one line each (for tier `number`
    alone, or every tier). The stated figure is what answers show; none when the plan lets
    the computed figures win."""
    found: list[str] = []
    if plan.stated_figures == "computed":
        return found
    for cost in tier_costs(plan)[1:]:
        if number is not None and cost.number != number:
            continue
        tier, where = plan.tiers[cost.number - 1], f"tiers[{cost.number - 1}]"
        summed = sum((c.cost_span for c in tier.changes), span(0))
        if tier.stated_from is not None:
            start = span(tier.stated_from, tier.stated_from_high)
            before = "the baseline" if cost.number == 1 else f"Tier {cost.number - 1}"
            found.append(
                f"{where}.stated_from: Tier {cost.number} starts from {fmt_amount(start)}/mo "
                f"where {before} ends "
                f"at {fmt_amount(cost.previous)}/mo"
            )
        # A stated change that is off explains the total too: one line for one difference.
        off_change = tier.stated_change is not None and tier.changes and cost.change_span != summed
        if tier.stated_total is not None and cost.total_span != cost.computed and not off_change:
            found.append(
                f"{where}.stated_total: says {fmt_amount(cost.total_span)}/mo but the tier "
                f"before ({fmt_amount(cost.previous)}/mo) plus the cost changes come to "
                f"{fmt_amount(cost.computed)}/mo"
            )
        if off_change:
            found.append(
                f"{where}.stated_change: says {fmt_amount(cost.change_span, sign=True)}/mo but "
                f"the component changes add up to {fmt_amount(summed, sign=True)}/mo"
            )
        if tier.stated_percent is not None and cost.percent_span is not None:
            stated = fmt_percent_change(cost.percent_span, plan.percent_rounding)
            given = cost.change_span.over(cost.previous).times(100)
            figures = fmt_percent_change(given, plan.percent_rounding)
            if cost.previous.low > 0 and stated != figures:
                found.append(
                    f"{where}.stated_percent: says {stated} but the figures give {figures}"
                )
    return found


def plan_errors(plan: Plan) -> list[str]:
    """Contradictions that make the plan unsafe to serve: people would read one rule
    while the bot watches another."""
    return disagreements(plan)[0]


def plan_warnings(plan: Plan) -> list[str]:
    """Inconsistencies a reader of the plan would want to know; the plan's figures stand."""
    warnings: list[str] = []
    base = plan.baseline
    items = sum((item.cost_span for item in base.line_items), span(0))
    if base.line_items and items != base.budget_span:
        gap = fmt_amount(base.budget_span - items, sign=True)
        warnings.append(
            f"baseline.line_items: the line items add up to {fmt_amount(items)}/mo but the "
            f"budget says {fmt_amount(base.budget_span)}/mo ({gap}"
            " unaccounted for); tier costs start from the budget"
        )
    compute = plan.formulas.compute
    if compute is not None and compute.current_rps_claim is not None:
        formula_rps = rps_per_vcpu(compute) * compute.current_vcpus
        if formula_rps != compute.current_rps_claim:
            warnings.append(
                f"formulas.compute: the plan says the current {compute.current_vcpus} vCPU "
                f"handles ~{fmt_number(compute.current_rps_claim)} req/sec, but the formula "
                f"({fmt_number(compute.current_vcpus)} x {fmt_number(compute.efficiency)} / "
                f"{fmt_number(compute.avg_response_seconds)}s) gives "
                f"{fmt_number(formula_rps)} req/sec"
            )
    estimate = storage_for(plan.formulas.storage, base.users) if plan.formulas.storage else None
    if estimate is not None and base.storage_note and estimate.total_gb != base.storage_gb:
        warnings.append(
            f"baseline.storage_gb: the plan says {fmt_number(base.storage_gb)}GB now, but the "
            f"storage formula gives {fmt_number(estimate.total_gb)}GB for "
            f"{fmt_number(base.users)} {plan.unit_plural}"
        )
    warnings += stated_differences(plan)
    tier_count = len(plan.tiers) + 1
    for index, target in enumerate(plan.targets):
        if len(target.values) != tier_count:
            warnings.append(
                f"targets[{index}].values: {len(target.values)} values for "
                f"{tier_count} tiers (baseline + {len(plan.tiers)})"
            )
    for index, point in enumerate(plan.breaking_points):
        if point.to_tier > len(plan.tiers):
            warnings.append(
                f"breaking_points[{index}].to_tier: the plan has no tier {point.to_tier}"
            )
    warnings += disagreements(plan)[1]
    warnings += out_of_range_rules(plan)
    if not plan.metrics and plan.metric_rules():
        warnings.append("metrics: no metrics are declared, so rule metric names are not checked")
    return warnings
