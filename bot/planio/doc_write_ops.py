"""Writing the document's end: triggers, scenarios, optimizations, monitoring, change log."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.plan import ChangeLogEntry, Plan
from bot.planio.doc_write_scale import cell

__all__ = ["write_monitoring", "write_ops", "write_scaling"]


def write_scaling(plan: Plan) -> list[str]:
    lines = ["## Scaling Triggers", ""]
    if plan.scaling_triggers:
        lines += ["| Trigger | Action | Lead Time |", "|---------|--------|-----------|"]
        for t in plan.scaling_triggers:
            lines.append(f"| {cell(t.text)} | {cell(t.action)} | {cell(t.lead_time)} |")
    auto = plan.auto_scaling
    if auto is not None:
        lines += ["", f"**Auto-Scaling Rules** (Tier {auto.from_tier}+):"]
        lines += [f"- {r.text} → {r.action}" for r in auto.rules]
        lines.append(f"- Min containers: {auto.min_containers} (always)")
        lines.append(f"- Max containers: {auto.max_containers} (cost limit)")
    return [*lines, "", "---", ""]


def write_ops(plan: Plan) -> list[str]:
    lines = ["## Disaster Scenarios", ""]
    for number, s in enumerate(plan.scenarios, start=1):
        lines += [f"### Scenario {number}: {s.title}", ""]
        for label, value in (
            ("Cause", s.cause),
            ("Recovery Time", s.recovery_time),
            ("Data Loss", s.data_loss),
        ):
            if value:
                lines.append(f"**{label}**: {value}")
        if s.impact:
            lines += ["**Impact**:", *(f"- {i}" for i in s.impact)]
        if s.response:
            lines += ["", "**Response**:"]
            for index, step in enumerate(s.response, start=1):
                phase = f"**{step.phase}**: " if step.phase else ""
                lines.append(f"{index}. {phase}{step.text}")
        if s.cost:
            lines += ["", f"**Cost**: {s.cost}"]
        lines.append("")
    lines += ["---", "", "## Optimization Opportunities", ""]
    for stage in plan.optimizations:
        lines += [f"### {stage.stage} Optimizations", ""]
        if stage.label or stage.items:
            lines.append(f"**{stage.label or 'Items'}**:")
        for index, item in enumerate(stage.items, start=1):
            effect = f" ({item.effect})" if item.effect else ""
            lines.append(f"{index}. **{item.name}**: {item.detail}{effect}")
        if stage.roi:
            lines += ["", f"**ROI**: {stage.roi}"]
        lines.append("")
    lines += ["---", "", "## Breaking Points", "", "**What fails first at each tier:**", ""]
    for point in plan.breaking_points:
        lines += [
            f"**Tier {point.from_tier} → Tier {point.to_tier}**:",
            f"- **First to break**: {point.first_to_break}",
            f"- **Symptom**: {point.symptom}",
            f"- **Fix**: {point.fix}",
            "",
        ]
    return [*lines, "---", ""]


def write_monitoring(plan: Plan, changes: Sequence[ChangeLogEntry]) -> list[str]:
    lines = ["## Monitoring & Alerts", ""]
    if plan.thresholds:
        lines += [
            "**Metrics to Track**:",
            "",
            "| Metric | Tool | Alert Threshold | Severity |",
            "|--------|------|-----------------|----------|",
        ]
        for t in plan.thresholds:
            text = t.text or t.rule.describe(plan.unit(t.rule.metric))
            lines.append(f"| {cell(t.name)} | {cell(t.tool)} | {cell(text)} | {t.severity} |")
    if plan.alert_channels:
        lines += ["", "**Alert Channels**:"]
        lines += [f"- {c.label} ({c.severity}): {c.destination}" for c in plan.alert_channels]
    lines += ["", "---", "", "## Change Log", ""]
    lines += ["| Date | Change | Reason | Impact |", "|------|--------|--------|--------|"]
    for entry in changes:
        lines.append(
            f"| {entry.date} | {cell(entry.change)} | {cell(entry.reason)} | {cell(entry.impact)} |"
        )
    return [*lines, ""]
