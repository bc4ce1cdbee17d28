"""Export the plan as the template's document with live figures: `capacity-bot export-plan`.

Totals, percentages, cost per user, break-even and healthy margin are computed, never
copied. What the template has no place for goes into a fenced YAML appendix, computed as
the patch between the plan and what the body reads back as, so importing the export
gives back the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import yaml

from bot.domain.costs import break_even, cost_per_user, tier_costs
from bot.domain.money import fmt_money, fmt_number, in_currency
from bot.domain.plan import (
    ChangeLogEntry,
    ComputeFormula,
    ConnectionsFormula,
    Plan,
    StorageFormula,
)
from bot.domain.sizing import compute_for, connections_for, rps_per_vcpu, storage_for
from bot.planio.doc_costs import write_costs
from bot.planio.doc_write_kept import kept_after
from bot.planio.doc_write_ops import write_monitoring, write_ops, write_scaling
from bot.planio.doc_write_scale import cell, write_baseline, write_tiers
from bot.planio.overlay import diff_overlay, plain

__all__ = ["Live", "export_document"]


@dataclass(frozen=True)
class Live:
    """What is measured rather than planned; empty when nothing has been recorded."""

    today: str = ""  # the date of the export (Last Updated when later than the plan's)
    samples: tuple[tuple[str, str], ...] = ()  # ("MAU", "850 users") from the latest samples
    changes: tuple[ChangeLogEntry, ...] | None = None  # the stored change log, newest first
    built_tier: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _formulas(plan: Plan) -> list[str]:
    lines = ["## Resource Estimates"]
    if plan.formulas.compute is not None:
        lines += _compute(plan.formulas.compute)
    if plan.formulas.connections is not None:
        lines += _connections(plan.formulas.connections)
    if plan.formulas.storage is not None:
        lines += _storage(plan, plan.formulas.storage)
    if len(lines) == 1:
        return []
    return [*lines, "", "---", ""]


def _compute(compute: ComputeFormula) -> list[str]:
    per_vcpu = rps_per_vcpu(compute)
    rps = Decimal(100)
    estimate = compute_for(compute, rps)
    while estimate.approx_vcpus is None:
        rps *= 10
        estimate = compute_for(compute, rps)
    sizes = " or ".join(
        f"{count} containers ({size} vCPU each)" for size, count in estimate.containers
    )
    claim = (
        f"- Handles ~{fmt_number(compute.current_rps_claim)} req/sec"
        if compute.current_rps_claim is not None
        else "- Handles what the formula gives"
    )
    return [
        "",
        "### Compute (API)",
        "",
        "**Current**:",
        f"- {compute.current_vcpus} vCPU in total",
        claim,
        "",
        "**Formula**: Requests/sec = (vCPU × efficiency_factor) / avg_response_time",
        f"- Efficiency factor: {fmt_number(compute.efficiency)}",
        f"- Avg response time: {fmt_number(compute.avg_response_seconds * 1000)}ms",
        "",
        "**Example Calculation**:",
        f"- 1 vCPU × {fmt_number(compute.efficiency)} / "
        f"{fmt_number(compute.avg_response_seconds)}s = {fmt_number(per_vcpu)} req/sec per vCPU",
        f"- For {fmt_number(rps)} req/sec → need ~{estimate.approx_vcpus} vCPUs → {sizes}",
    ]


def _connections(conn: ConnectionsFormula) -> list[str]:
    example = connections_for(conn, 2)
    return [
        "",
        "### Database Connections",
        "",
        f"**Current**: {conn.max_connections} max connections",
        "",
        "**Formula**: Connections needed = (API containers × connections_per_container)"
        " + background_jobs",
        f"- Connections per container: {conn.pool_per_container} (pool size)",
        f"- Background jobs: {conn.workers} workers × {conn.connections_per_worker} connections"
        f" = {conn.workers * conn.connections_per_worker}",
        "",
        "**Example**:",
        f"- 2 containers: {example.total} connections; beyond {example.max_connections}"
        f" connections: Need connection pooler ({conn.pooler})",
    ]


def _storage(plan: Plan, storage: StorageFormula) -> list[str]:
    lines = [
        "",
        "### Storage",
        "",
        f"**Current**: {fmt_number(plan.baseline.storage_gb)}GB",
        "",
        "**Example**:",
        f"- Avg files per user: {fmt_number(storage.files_per_user)}",
        f"- Avg file size: {fmt_number(storage.avg_file_mb)}MB",
    ]
    for point in storage.database:
        est = storage_for(storage, point.users)
        lines.append(
            f"- {fmt_number(point.users)} users: {fmt_number(point.users)} × "
            f"{fmt_number(storage.files_per_user)} × {fmt_number(storage.avg_file_mb)}MB = "
            f"{fmt_number(est.files_gb)}GB files + {fmt_number(point.database_gb)}GB DB = "
            f"{fmt_number(est.total_gb)}GB total"
        )
    if storage.growth_note:
        lines += ["", f"**Growth Rate**: {storage.growth_note}"]
    return lines


def _cost_model(plan: Plan) -> list[str]:
    costs = tier_costs(plan)
    pricing = plan.pricing
    lines = ["## Cost Model", "", "### Cost Per User", ""]
    for cost in costs[1:]:
        per = cost_per_user(cost.total, cost.users)
        lines += [
            f"**Tier {cost.number}** ({fmt_number(cost.users)} users):",
            f"- Total cost: {fmt_money(cost.total)}/mo",
            f"- Cost per user: {per.monthly_text()} ({per.yearly_text()})",
            "",
        ]
    if pricing is None:
        return [*lines, "---", ""]
    multiple = fmt_number(pricing.healthy_multiple)
    step = f", rounded up to {pricing.healthy_step}" if pricing.healthy_step > 1 else ""
    lines += [
        "### Revenue Targets",
        "",
        f"**Pricing**: {pricing.per_customer(fmt_money(pricing.price))}",
        "",
        "**Break-Even**:",
    ]
    rows = break_even(plan)
    for row in rows:
        lines.append(
            f"- Tier {row.tier} ({fmt_money(row.cost)}/mo cost): {fmt_number(row.customers)}"
            f" paying {pricing.plural}"
        )
    lines += ["", f"**Healthy Margin** ({multiple}x cost coverage{step}):"]
    for row in rows:
        margin = row.healthy_margin_percent.quantize(Decimal(1)) if row.healthy_revenue else 0
        lines.append(
            f"- Tier {row.tier}: {fmt_number(row.healthy_customers)} {pricing.plural} → "
            # A price per unit of use still earns by the month, as the costs are counted.
            f"{fmt_money(row.healthy_revenue)}/{pricing.period or 'mo'} revenue, "
            f"{fmt_money(row.cost)} cost = {margin}% margin"
        )
    return [*lines, "", "---", ""]


def _cost_model_and_mapping(plan: Plan) -> list[str]:
    """The cost model, then the bills' mapping to components (when the plan has one)."""
    return [*_cost_model(plan), *write_costs(plan)]


def _targets(plan: Plan) -> list[str]:
    if not plan.targets:
        return []
    width = max(len(t.values) for t in plan.targets)
    names = ["Tier 0", *(f"Tier {n}" for n in range(1, width))]
    lines = [
        "## Performance Targets by Tier",
        "",
        "| Metric | " + " | ".join(names) + " |",
        "|" + "---|" * (width + 1),
    ]
    for target in plan.targets:
        values = [cell(v) for v in target.values] + [""] * (width - len(target.values))
        lines.append(f"| {cell(target.metric)} | " + " | ".join(values) + " |")
    return [*lines, "", "---", ""]


def _body(plan: Plan, live: Live) -> list[str]:
    updated = max(plan.last_updated, live.today) if live.today else plan.last_updated
    changes = plan.change_log if live.changes is None else live.changes
    if changes:
        updated = max(updated, max(c.date for c in changes))
    lines = [plan.titled("# Capacity Planning"), ""]
    if updated:
        lines.append(f"**Last Updated**: {updated}")
    if plan.stated_figures == "computed":  # the setting's own line, not the appendix
        lines.append("**Stated figures**: computed")
    lines.append("")
    lines += kept_after(plan, "start")
    lines += write_baseline(plan, list(live.samples))
    lines += kept_after(plan, "baseline")
    costs = tier_costs(plan)
    lines += write_tiers(plan, costs)
    lines += kept_after(plan, "tiers")
    for anchor, write in (
        ("formulas", _formulas),
        ("cost_model", _cost_model_and_mapping),
        ("targets", _targets),
        ("scaling", write_scaling),
        ("ops", write_ops),
    ):
        lines += write(plan)
        lines += kept_after(plan, anchor)
    lines += write_monitoring(plan, changes)
    lines += kept_after(plan, "monitoring")
    lines += kept_after(plan, "end")
    return lines


def export_document(plan: Plan, live: Live | None = None) -> str:
    """The plan as the filled-in template, in its currency (`_export_document`)."""
    with in_currency(plan.currency):
        return _export_document(plan, live)


def _export_document(plan: Plan, live: Live | None = None) -> str:
    """The plan as the filled-in template; importing the result gives `plan` back."""
    from bot.planio.document import as_read, read_body  # the writer checks itself with the reader

    live = live or Live()
    body = "\n".join(_body(plan, live)) + "\n"
    data, _reader, _appendix = read_body(body)
    want = plan.model_dump(by_alias=True)
    patch = diff_overlay(want, as_read(data)) or {}
    if live.changes is not None:
        patch.pop("change_log", None)  # the stored log is the live one
        if plan.last_updated:
            patch.pop("last_updated", None)
    notes = {"built_tier": live.built_tier} if live.built_tier is not None else {}
    if not patch and not notes:
        return body
    text = yaml.safe_dump(plain({**patch, **notes}), sort_keys=False, allow_unicode=True)
    return (
        body
        + "\n## Appendix: for capacity-bot\n\n"
        + "What the template has no place for; `capacity-bot import-plan` reads it.\n\n"
        + "```yaml\n"
        + text
        + "```\n"
    )
