"""The plan's parts after its tiers and money: targets, scaling triggers, scenarios,
optimizations, breaking points, monitoring thresholds, alert channels, the change log and
the document's own sections (re-exported by bot.domain.plan, where the whole plan lives)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.domain.plan_base import PlanModel as _Model
from bot.domain.rules import MetricRule

__all__ = [
    "AlertChannel",
    "AutoScaling",
    "BreakingPoint",
    "ChangeLogEntry",
    "DocSection",
    "MonitorThreshold",
    "OptimizationItem",
    "OptimizationStage",
    "ResponseStep",
    "ScalingTrigger",
    "Scenario",
    "Severity",
    "Target",
]

Severity = Literal["p0", "p1", "p2"]


class Target(_Model):
    """One row of the performance targets table: a value per tier (index = tier number)."""

    metric: str = Field(min_length=1)
    values: tuple[str, ...] = Field(min_length=1)


class ScalingTrigger(_Model):
    text: str = Field(min_length=1)
    rule: MetricRule
    action: str
    lead_time: str = ""
    runbook: str | None = None
    # Picks the route (alert_channels): p1 is the alerts channel.
    severity: Severity = "p1"


class AutoScaling(_Model):
    from_tier: int = Field(default=0, ge=0)
    rules: tuple[ScalingTrigger, ...] = ()
    min_containers: int = Field(default=1, ge=0)
    max_containers: int = Field(default=1, ge=1)


class ResponseStep(_Model):
    phase: str = ""
    text: str = Field(min_length=1)


class Scenario(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    cause: str = ""
    impact: tuple[str, ...] = ()
    recovery_time: str = ""
    data_loss: str = ""
    response: tuple[ResponseStep, ...] = ()
    cost: str = ""
    metrics: tuple[str, ...] = ()  # metrics whose alerts point at this runbook


class OptimizationItem(_Model):
    name: str
    detail: str = ""
    effect: str = ""


class OptimizationStage(_Model):
    stage: str
    label: str = ""
    items: tuple[OptimizationItem, ...] = ()
    roi: str = ""


class BreakingPoint(_Model):
    from_tier: int = Field(ge=0)
    to_tier: int = Field(ge=1)
    first_to_break: str
    symptom: str
    fix: str


class MonitorThreshold(_Model):
    name: str
    tool: str = ""
    text: str = ""
    rule: MetricRule
    severity: Severity = "p1"
    runbook: str | None = None


class AlertChannel(_Model):
    severity: Severity
    label: str
    destination: str


class ChangeLogEntry(_Model):
    date: str
    change: str
    reason: str = ""
    impact: str = ""


class DocSection(_Model):
    """A section of the team's document the plan has no place for (Bandwidth, a checklist),
    kept word for word and shown where it belongs."""

    title: str = Field(min_length=1)
    # 0: a labelled block (`**Characteristics**:`) whose text holds its own label line.
    level: int = Field(default=2, ge=0, le=6)
    # The Markdown under the heading, as written (nested headings included).
    text: str = ""
    # Where it sat: after which part of the plan ("baseline", "tiers", "tier:2", "end"...).
    after: str = "end"
    # The tier it sits under, when it does (shown by `tier N`).
    tier: int | None = Field(default=None, ge=0)
