"""Writing the document's top: title, Current Scale with live figures, Growth Projections."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.costs import TierCost
from bot.domain.money import fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.values import fmt_amount
from bot.planio.doc_write_kept import kept_in_tier

__all__ = ["cell", "write_baseline", "write_tiers"]


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _note(note: str, fallback: str) -> str:
    return note or fallback


def write_baseline(plan: Plan, live: list[tuple[str, str]]) -> list[str]:
    base = plan.baseline
    lines = [f"## Current Scale ({base.name})", ""]
    lines.append(f"**Users**: {_note(base.users_note, f'{fmt_number(base.users)} users')}")
    requests = _note(base.requests_note, f"{fmt_number(base.requests_per_day)}/day")
    lines.append(f"**Requests**: {requests}")
    lines.append(f"**Storage**: {_note(base.storage_note, f'{fmt_number(base.storage_gb)}GB')}")
    lines.append(f"**Database**: {_note(base.database_note, f'{fmt_number(base.database_gb)}GB')}")
    lines.append(f"**Budget**: {fmt_amount(base.budget_span)}/mo total")
    for item in base.line_items:
        note = f" ({item.note})" if item.note else ""
        lines.append(f"  - {item.name}: {fmt_amount(item.cost_span)}{note}")
    if base.constraints:
        lines += ["", "**Constraints**:", *(f"- {c}" for c in base.constraints)]
    if live:
        # Measurements, not plan: the importer reads no label it does not know.
        lines += ["", "**Measured now** (live, from the latest samples):"]
        lines += [f"- {name}: {value}" for name, value in live]
    lines += kept_in_tier(plan, 0)
    return [*lines, "", "---", ""]


def _users(number: int, plan: Plan, cost: TierCost) -> str:
    return f"{fmt_number(plan.baseline.users)} → {fmt_number(cost.users)} {plan.unit_plural}"


def write_tiers(plan: Plan, costs: list[TierCost]) -> list[str]:
    lines = ["## Growth Projections", ""]
    for number, tier in enumerate(plan.tiers, start=1):
        cost = costs[number]
        lines += [f"### Tier {number}: {tier.name} ({_users(number, plan, cost)})", ""]
        if tier.timeline:
            lines.append(f"**Timeline**: {tier.timeline}")
        if tier.triggers:
            lines += ["**Triggers**:", *(f"- {t.text}" for t in tier.triggers)]
        if tier.changes:
            previous = "Current" if number == 1 else f"Tier {number - 1}"
            lines += [
                "",
                "**Infrastructure Changes**:",
                "",
                f"| Component | {previous} | Tier {number} | Cost Change |",
                "|-----------|---------|-----|-------------|",
            ]
            for change in tier.changes:
                lines.append(
                    f"| {cell(change.component)} | {cell(change.current)} | {cell(change.new)} "
                    f"| {fmt_amount(change.cost_span, sign=True)}/mo |"
                )
        lines += ["", f"**Total New Cost**: {cost.summary().replace(' -> ', ' → ')}"]
        for title, items in (
            ("Capacity", tier.capacity),
            ("Optimizations Needed", tier.optimizations),
            ("Architecture Changes", tier.architecture_changes),
            ("Bottlenecks", tier.bottlenecks),
        ):
            if items:
                lines += ["", f"**{title}**:", *(f"- {i}" for i in items)]
        lines += kept_in_tier(plan, number)
        lines += ["", "---", ""]
    return lines


def per_user(total: Decimal, users: int) -> str:
    return fmt_money((total / users).normalize())
