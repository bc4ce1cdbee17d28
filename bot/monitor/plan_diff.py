"""What changed between two plans, in the words a planner uses. Pure.

"Tier 2 budget $415 → $450/mo; rule tier2.mau: MAU > 8,000 → MAU > 9,000; tier 4 added"
"""

from __future__ import annotations

from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money, fmt_number, in_currency
from bot.domain.plan import Plan
from bot.domain.values import fmt_amount
from bot.monitor.rules_from_plan import rules_from_plan

__all__ = ["plan_diff", "summary"]

# Sections summed up in one line each when anything in them changed.
_SECTIONS = (
    ("targets", "performance targets"),
    ("formulas", "resource formulas"),
    ("scenarios", "disaster scenarios"),
    ("optimizations", "optimizations"),
    ("breaking_points", "breaking points"),
    ("alert_channels", "alert channels"),
    ("metrics", "metric catalog"),
    ("change_log", "the plan's change log"),
)


def _rule_texts(plan: Plan) -> dict[str, str]:
    """Rule id -> the words the plan uses for it (its text, else the rule spelled out)."""
    texts: dict[str, str] = {}
    for rule in rules_from_plan(plan):
        title = rule.title
        if rule.kind in ("tier_trigger", "scaling"):
            title = title.split(": ", 1)[1]
        texts[rule.id] = f"{title} [{rule.rule.describe(plan.unit(rule.rule.metric))}]"
    return texts


def _short(text: str) -> str:
    return text.split(" [", 1)[0]


def plan_diff(old: Plan, new: Plan) -> list[str]:
    """One line per change, in plan order; empty when the plans answer alike. Amounts are
    in the new plan's currency (a reload from the file poll runs outside the router)."""
    with in_currency(new.currency):
        return _plan_diff(old, new)


def _plan_diff(old: Plan, new: Plan) -> list[str]:
    lines: list[str] = []
    if old.product != new.product:
        lines.append(f"product {old.product or '(unnamed)'} → {new.product or '(unnamed)'}")
    if old.currency != new.currency:
        lines.append(f"currency {old.currency} → {new.currency}")
    if old.unit_plural != new.unit_plural:
        lines.append(f"grows in {old.unit_plural} → {new.unit_plural}")
    old_costs, new_costs = tier_costs(old), tier_costs(new)
    for number in range(min(len(old_costs), len(new_costs))):
        before, after = old_costs[number], new_costs[number]
        label = "Baseline" if number == 0 else f"Tier {number}"
        if before.name != after.name:
            lines.append(f"{label} name {before.name} → {after.name}")
        if before.users != after.users:
            lines.append(
                f"{label} {new.unit_plural} {fmt_number(before.users)} → {fmt_number(after.users)}"
            )
        if before.total != after.total:
            lines.append(
                f"{label} budget {fmt_amount(before.total_span, symbol=old.currency_symbol)} → "
                f"{fmt_amount(after.total_span)}/mo"
            )
    for number in range(len(old_costs), len(new_costs)):
        lines.append(f"tier {number} added")
    for number in range(len(new_costs), len(old_costs)):
        lines.append(f"tier {number} removed")
    if old.pricing != new.pricing and (old.pricing is None or new.pricing is None):
        lines.append("pricing added" if old.pricing is None else "pricing removed")
    elif old.pricing is not None and new.pricing is not None and old.pricing != new.pricing:
        was = old.currency_symbol
        lines.append(
            f"pricing {old.pricing.per_customer(fmt_money(old.pricing.price, symbol=was))}"
            f" → {new.pricing.per_customer(fmt_money(new.pricing.price))}"
            if old.pricing.price != new.pricing.price
            else "pricing details changed"
        )
    before_rules, after_rules = _rule_texts(old), _rule_texts(new)
    for rule_id, text in after_rules.items():
        if rule_id not in before_rules:
            lines.append(f"rule {rule_id} added: {_short(text)}")
        elif before_rules[rule_id] != text:
            was, now = _short(before_rules[rule_id]), _short(text)
            if was == now:
                was, now = before_rules[rule_id], text
            lines.append(f"rule {rule_id}: {was} → {now}")
    for rule_id in before_rules:
        if rule_id not in after_rules:
            lines.append(f"rule {rule_id} removed")
    for field, words in _SECTIONS:
        if getattr(old, field) != getattr(new, field):
            lines.append(f"{words} changed")
    return lines


def summary(lines: list[str]) -> str:
    return "; ".join(lines) if lines else "no changes"
