"""What the weekly digest is built from: plain values the integrator gathers from the stores.

Pure data, no I/O. `DigestSource` is the seam: anything with `digest_input(now)` can feed
both the scheduled digest and the `/capacity digest` preview.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Protocol

from bot.domain.monitoring import Sample
from bot.domain.plan import Plan
from bot.domain.reality import Reality
from bot.domain.spend import Spend
from bot.monitor.fails_first import FailsFirst

__all__ = [
    "SAMPLE_WINDOW",
    "WEEK",
    "AlertRecord",
    "ChangeRecord",
    "DigestInput",
    "DigestSource",
    "empty_input",
]

WEEK = timedelta(days=7)
# The trend is fitted over this much history, like `predict_linear(metric[28d], ...)`.
SAMPLE_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class AlertRecord:
    """One alert as the digest tells it: its rule's title, when it fired, when it resolved."""

    title: str
    fired_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class ChangeRecord:
    """One change-log entry of the week; `cost_change` is a monthly delta, None when unknown."""

    date: date
    change: str
    cost_change: Decimal | None = None


@dataclass(frozen=True)
class DigestInput:
    plan: Plan
    now: datetime
    zone: tzinfo
    # Newest observation of each metric: value and when it was taken.
    latest: Mapping[str, tuple[float, datetime]] = field(default_factory=dict)
    # The last 28 days of samples per metric (older ones are ignored by the fit).
    samples: Mapping[str, Sequence[Sample]] = field(default_factory=dict)
    # (hour, min, max) per metric over the same 28 days: forecasts use daily peaks (a `>`
    # rule) or lows (a `<` rule); without it they come from `samples`.
    extremes: Mapping[str, Sequence[tuple[datetime, float, float]]] = field(default_factory=dict)
    # Alerts that fired or resolved during the week.
    alerts_fired_resolved: Sequence[AlertRecord] = ()
    # Alerts firing at `now`.
    still_firing: Sequence[AlertRecord] = ()
    # Change-log entries logged during the week.
    changes: Sequence[ChangeRecord] = ()
    # Infrastructure cost so far this month; None falls back to the `cost_usd` metric.
    cost_this_month: Decimal | None = None
    # The month's bills against the plan (`spend`); None when no bill covers the month.
    spend: Spend | None = None
    # Set by the job when the chart could not be drawn or uploaded.
    chart_missing: bool = False
    # Start of the time this digest covers (the previous cron slot); None is a week.
    since: datetime | None = None
    # How long a slot of CAPACITY_DIGEST_CRON is (a day for a daily cron): it names the
    # digest ("Daily ..."), also in a preview taken part-way through a slot. None: the
    # time since `since`.
    slot: timedelta | None = None
    # The plan against the measured values, and what fails first (None: not gathered).
    reality: Reality | None = None
    fails: FailsFirst | None = None


class DigestSource(Protocol):
    """Gathers a `DigestInput` from wherever the data lives (the stores, in production)."""

    def digest_input(self, now: datetime) -> DigestInput: ...


def empty_input(plan: Plan, now: datetime, zone: tzinfo) -> DigestInput:
    """A digest of the plan alone: every metric reads "no data"."""
    return DigestInput(plan=plan, now=now, zone=zone)
