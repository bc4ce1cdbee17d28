"""Demand tier against built tier: the gap, its cost, the budget in force, what to watch.

The *demand tier* is the highest tier whose users trigger has been crossed
(`costs.current_tier`); the *built tier* is the one whose infrastructure is in place
(`Plan.built_tier`, or what a planner recorded with `/capacity built N`). Triggers of
tiers at or below the built tier no longer say anything new. Pure: values in, text out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.costs import tier_costs, tier_for_users
from bot.domain.money import fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from bot.domain.values import fmt_amount

__all__ = [
    "NextTrigger",
    "budget",
    "budget_words",
    "gap_action",
    "gap_cost",
    "gap_text",
    "next_trigger",
    "relative_threshold",
    "users_rule",
    "with_built",
]


def with_built(plan: Plan, built: int | None) -> Plan:
    """`plan` with the recorded built tier in force (the plan's own when none is recorded).

    A recorded tier above the plan's top tier (a plan reloaded with fewer tiers) means
    the top tier is built.
    """
    if built is None:
        return plan
    return plan.model_copy(update={"built_tier": max(0, min(built, plan.tier_count))})


def budget(plan: Plan, tier: int | None = None) -> Decimal:
    """The monthly budget of `tier` (default: the built tier). A budget given as a range is
    met up to its upper bound, so that is the figure alerts hold the cost against."""
    return tier_costs(plan)[plan.built_tier if tier is None else tier].total


def budget_words(plan: Plan, tier: int | None = None) -> str:
    """`$95/mo`, or for a range the bound in use: `$90–120/mo (held to the upper bound,
    $120/mo)`."""
    held = tier_costs(plan)[plan.built_tier if tier is None else tier].total_span
    if held.exact:
        return f"{fmt_money(held.high)}/mo"
    return f"{fmt_amount(held)}/mo (held to the upper bound, {fmt_money(held.high)}/mo)"


def gap_cost(plan: Plan, demand: int, built: int) -> Decimal:
    """What the tiers between the built one and the demanded one add a month."""
    costs = tier_costs(plan)
    return costs[max(demand, built)].total - costs[built].total


def users_rule(plan: Plan, number: int) -> MetricRule | None:
    """Tier `number`'s trigger on the users metric, if it has one."""
    if not 1 <= number <= plan.tier_count:
        return None
    return next(
        (
            t.rule
            for t in plan.tier(number).triggers
            if t.rule is not None and t.rule.metric == plan.users_metric
        ),
        None,
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def gap_text(plan: Plan, demand: int, built: int, users: float | None) -> str:
    """`Trigger reached: Tier 2 (MAU 9,000 > 8,000), sized for Tier 2, Tier 0 is built: plan
    the Tier 1 and Tier 2 changes (+$375/mo)`."""
    label = plan.growth_label
    rule = users_rule(plan, demand)
    if users is None:
        why = f" (no {plan.growth_noun} data yet)"
    elif rule is not None:
        why = f" ({label} {fmt_number(round(users))} {rule.op} {fmt_number(round(rule.value))})"
    else:
        why = f" ({label} {fmt_number(round(users))})"
    sized = f", sized for Tier {tier_for_users(plan, round(users))}" if users is not None else ""
    head = f"Trigger reached: Tier {demand}{why}{sized}, Tier {built} is built"
    if demand <= built:
        return f"{head}: no gap"
    return f"{head}: {gap_action(plan, demand, built)}"


def gap_action(plan: Plan, demand: int, built: int) -> str:
    """`plan the Tier 1 and Tier 2 changes (+$375/mo)`: what closing the gap takes (call
    only with `demand > built`)."""
    tiers = [f"Tier {n}" for n in range(built + 1, demand + 1)]
    cost = fmt_money(gap_cost(plan, demand, built), sign=True)
    return f"plan the {_and(tiers)} changes ({cost}/mo)"


@dataclass(frozen=True)
class NextTrigger:
    """The trigger to watch next: of the first tier above both demand and built tier."""

    tier: int
    text: str
    rule: MetricRule
    value: float | None


def _room(rule: MetricRule, value: float) -> float:
    gap = rule.value - value if rule.op in (">", ">=") else value - rule.value
    return gap / abs(rule.value) if rule.value else gap


def next_trigger(plan: Plan, demand: int, latest: Mapping[str, float | None]) -> NextTrigger | None:
    """The trigger with the least headroom left among the next tier's (with data), else its
    users trigger; None at the top tier or when the next tier has no metric trigger."""
    number = max(demand, plan.built_tier) + 1
    if number > plan.tier_count:
        return None
    found = [
        NextTrigger(number, t.text, t.rule, latest.get(t.rule.metric))
        for t in plan.tier(number).triggers
        if t.rule is not None
    ]
    if not found:
        return None
    seen = [f for f in found if f.value is not None]
    if seen:
        return min(seen, key=lambda f: _room(f.rule, f.value or 0.0))
    users = [f for f in found if f.rule.metric == plan.users_metric]
    return (users or found)[0]


def relative_threshold(plan: Plan, rule: MetricRule) -> str:
    """`; in force with Tier 1 built: > $142.50/mo (150% of its $95/mo budget)` for a
    budget-relative threshold; empty for an absolute one."""
    if not rule.of_budget:
        return ""
    held = budget(plan)
    limit = Decimal(str(round(rule.against_budget(float(held)).value, 2)))
    return (
        f"; in force with Tier {plan.built_tier} built: {rule.op} {fmt_money(limit)}/mo"
        f" ({fmt_number(rule.value)}% of its {budget_words(plan)} budget)"
    )
