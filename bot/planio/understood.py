"""What `check-plan` understood of a plan, in one line, so a team can trust the import:
"tiers 0–3 (readers, EUR), 11 rules on 7 metrics (3 new: sessions, egress_tb, queue_depth),
4 triggers watched by people, 3 sections kept as text, 2 figures that do not add up".

Each slot is its own small function over the plan: the readers that add to what is read
(new metrics, triggers in a team's words, stated figures) fill them in."""

from __future__ import annotations

from bot.domain.checks import stated_differences
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan

__all__ = ["new_metrics", "people_watch", "understood"]


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def new_metrics(plan: Plan) -> list[str]:
    """Metrics the plan's rules watch that the embedded catalog does not have."""
    known = {m.name for m in default_plan().metrics}
    used = {rule.metric for _where, rule in plan.metric_rules()}
    return sorted(used - known)


def people_watch(plan: Plan) -> int:
    """Triggers that are words only: listed in `triggers`, watched by people."""
    return sum(1 for tier in plan.tiers for t in tier.triggers if t.rule is None)


def _stated(plan: Plan) -> str:
    """How the team's stated figures stand: the setting shows when the computed ones win."""
    if getattr(plan, "stated_figures", "kept") == "computed":
        return "stated figures: the computed ones win"
    return (
        _count(len(stated_differences(plan)), "figure that does", "figures that do") + " not add up"
    )


def understood(plan: Plan) -> str:
    rules = plan.metric_rules()
    metrics = {rule.metric for _where, rule in rules}
    new = new_metrics(plan)
    unit = getattr(plan, "unit_plural", "users")
    currency = getattr(plan, "currency", "USD")
    parts = [
        f"{plan.tier_range} ({unit}, {currency})",
        f"{_count(len(rules), 'rule', 'rules')} on {_count(len(metrics), 'metric', 'metrics')}"
        + (f" ({len(new)} new: {', '.join(new)})" if new else ""),
        f"{_count(people_watch(plan), 'trigger', 'triggers')} watched by people",
        f"{_count(len(plan.sections), 'section', 'sections')} kept as text",
        _stated(plan),
    ]
    return ", ".join(parts)
