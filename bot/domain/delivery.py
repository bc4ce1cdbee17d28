"""Records of delivery: outbox rows (what is queued to post, and how far it got), delivery
problems and digest claims. The store returns these; the worker and the jobs read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["DeliveryProblem", "DigestRecord", "OutboxRow", "PayloadKind", "Status"]

# queued -> sending -> sent. `sending` is written (and committed) before the Slack call;
# a row still `sending` after a restart was maybe posted: see bot/notify/deliver.py.
Status = Literal["queued", "sending", "sent", "unknown"]
# What an outbox row carries: an alert message (an EventKind), or other news for a channel.
PayloadKind = Literal[
    "firing",
    "reminder",
    "resolved",
    "nodata",
    "digest",
    "built",
    "demand",
    "plan_reload",
    "confirmation",
    "estimate",
]


@dataclass(frozen=True)
class DigestRecord:
    period: str
    claimed_at: datetime
    posted_at: datetime | None
    channel: str | None
    ts: str | None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    dedup_key: str
    kind: PayloadKind
    payload: str
    status: Status
    attempts: int
    next_attempt_at: datetime
    channel: str | None
    ts: str | None
    # Progress inside a multi-call delivery (a resolution edits, then replies).
    step: str | None
    last_error: str | None
    # Where it goes: slack, pagerduty or email (bot/monitor/routes.py).
    route: str = "slack"


@dataclass(frozen=True)
class DeliveryProblem:
    route: str
    target: str
    reason: str
    since: datetime
    last_seen: datetime
