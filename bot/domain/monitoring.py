"""Values the alerting core consumes and produces.

Pydantic models (frozen) rather than dataclasses so the caller can persist
`AlertState` as JSON between evaluations without a second schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from bot.domain.rules import MetricRule

__all__ = [
    "SEVERITIES",
    "AlertMessage",
    "AlertState",
    "Event",
    "EventKind",
    "HourStat",
    "Rollup",
    "Rule",
    "RuleKind",
    "Sample",
    "Severity",
    "Silence",
    "SourceStatus",
    "Status",
    "UtcDatetime",
    "require_aware",
]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Naive datetimes are rejected: a silent local-time guess would shift every `for` window.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

RuleKind = Literal["tier_trigger", "scaling", "threshold", "stale", "assumption"]
Severity = Literal["p0", "p1", "p2"]
Status = Literal["inactive", "pending", "firing", "nodata"]
EventKind = Literal["firing", "resolved", "reminder", "nodata"]

# Most urgent first; used for ordering grouped notifications.
SEVERITIES: tuple[Severity, ...] = ("p0", "p1", "p2")


def require_aware(now: datetime) -> datetime:
    """`now` in UTC; a naive clock is a caller bug, so fail loudly."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware (UTC)")
    return now.astimezone(UTC)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sample(_Frozen):
    """One observation of a metric."""

    metric: str = Field(min_length=1)
    at: UtcDatetime
    value: float


class Rule(_Frozen):
    """A metric rule plus what a human needs when it fires. `id` is stable, e.g. `tier2.mau`."""

    id: str = Field(min_length=1)
    kind: RuleKind
    rule: MetricRule
    title: str
    action: str | None = None
    # Picks the route: p0 PagerDuty, p1 the alerts channel, p2 email (bot/monitor/routes.py).
    severity: Severity = "p1"
    runbook: str | None = None
    tier: int | None = None
    # False for a tier trigger at or below the built tier: it is evaluated no more, and an
    # alert it raised resolves (the tier it warned about is in place).
    active: bool = True
    # Reminders while firing; a tier gap is weeks of planned work, said once.
    remind: bool = True


class AlertState(_Frozen):
    """Where one rule is in its lifecycle; the caller stores it and hands it back next time."""

    rule_id: str = Field(min_length=1)
    status: Status = "inactive"
    # When the current status began.
    since: UtcDatetime | None = None
    # Start of the unbroken run of true samples; for a firing alert, when that alert's run began.
    active_since: UtcDatetime | None = None
    last_value: float | None = None
    last_sample_at: UtcDatetime | None = None
    # Set while an alert exists (firing, or nodata after firing); identifies the alert.
    fired_at: UtcDatetime | None = None
    # None while firing means nobody has been told yet (e.g. it fired under a silence).
    last_notified_at: UtcDatetime | None = None
    # Start of the unbroken run of false samples while firing; resolution waits out hold-down.
    cleared_since: UtcDatetime | None = None
    silenced_until: UtcDatetime | None = None
    silenced_by: str | None = None

    def silenced(self, now: datetime) -> bool:
        return self.silenced_until is not None and self.silenced_until > now


class Event(_Frozen):
    """Something a human should hear about, produced by one evaluation."""

    kind: EventKind
    rule_id: str
    value: float | None
    at: UtcDatetime
    held_for_seconds: float
    # Identifies the alert the event belongs to, so a delivery layer can thread/edit.
    fired_at: UtcDatetime | None = None
    # Why a resolution happened when it is not the value: "built" (the tier is in place).
    reason: str | None = None


# What the store keeps about alerts and metric sources.


@dataclass(frozen=True)
class Silence:
    rule_id: str
    until: datetime
    by: str


@dataclass(frozen=True)
class AlertMessage:
    rule_id: str
    fired_at: str
    outbox_id: int
    channel: str
    ts: str
    resolved_at: datetime | None


@dataclass(frozen=True)
class Rollup:
    metric: str
    hour: datetime
    min: float
    max: float
    mean: float
    last: float
    count: int


@dataclass(frozen=True)
class HourStat:
    """One hour of a metric: mean, lowest, highest and how many samples, whether it is
    still held raw or already rolled up."""

    hour: datetime
    mean: float
    min: float
    max: float
    count: int


@dataclass(frozen=True)
class SourceStatus:
    """How the last pull from an outside source (Prometheus) went."""

    name: str
    ok: bool
    checked_at: datetime
    last_ok_at: datetime | None
    error: str | None
    # What the last pull fetched but did not store, and why ("cpu_pct: 150% is above ...").
    skipped: str | None = None
