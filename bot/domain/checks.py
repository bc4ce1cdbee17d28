"""Warnings about a valid plan that contradicts itself (check-plan prints them)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.agreement import disagreements
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.rule_range import out_of_range_rules
from bot.domain.sizing import rps_per_vcpu, storage_for

__all__ = ["plan_errors", "plan_warnings"]


def plan_errors(plan: Plan) -> list[str]:
    """Contradictions that make the plan unsafe to serve: people would read one rule
    while the bot watches another."""
    return disagreements(plan)[0]


def plan_warnings(plan: Plan) -> list[str]:
    """Inconsistencies a reader of the plan would want to know; the plan's figures stand."""
    warnings: list[str] = []
    base = plan.baseline
    items = sum((item.cost for item in base.line_items), Decimal(0))
    if base.line_items and items != base.budget:
        warnings.append(
            f"baseline.line_items: the line items add up to {fmt_money(items)}/mo but the "
            f"budget says {fmt_money(base.budget)}/mo ({fmt_money(base.budget - items, sign=True)}"
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
            f"{fmt_number(base.users)} users"
        )
    for index, cost in enumerate(tier_costs(plan)[1:]):
        stated = plan.tiers[index].stated_total
        if stated is not None and stated != cost.total:
            warnings.append(
                f"tiers[{index}].stated_total: says {fmt_money(stated)}/mo but the baseline "
                f"plus the cost changes come to {fmt_money(cost.total)}/mo"
            )
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
