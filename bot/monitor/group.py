"""Turn one evaluation's events into the messages a human sees.

Firings (and reminders) are grouped so a bad minute is one message, not ten;
resolutions and nodata stay one per alert so each can edit its original message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.monitoring import SEVERITIES, Event, EventKind, Rule, Severity

__all__ = ["Notification", "group_events", "narrowed"]


@dataclass(frozen=True)
class Notification:
    kind: EventKind
    events: tuple[Event, ...]
    # Most urgent severity among the events; None when no event's rule is known.
    severity: Severity | None
    # The delivery layer posts each key at most once, so it must not depend on delivery time.
    dedup_key: str

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(e.rule_id for e in self.events)


_GROUPED: tuple[EventKind, ...] = ("firing", "reminder")
_SINGLE: tuple[EventKind, ...] = ("resolved", "nodata")


def group_events(events: Iterable[Event], rules: Sequence[Rule]) -> list[Notification]:
    """Grouped firing, grouped reminders, then one per resolution/nodata, in that order."""
    severity = {r.id: r.severity for r in rules}

    def rank(e: Event) -> tuple[int, str]:
        # Events of rules we do not know sort last rather than being dropped.
        sev = severity.get(e.rule_id)
        return (SEVERITIES.index(sev) if sev else len(SEVERITIES), e.rule_id)

    ordered = sorted(events, key=rank)
    out: list[Notification] = []
    for kind in _GROUPED:
        batch = tuple(e for e in ordered if e.kind == kind)
        if batch:
            out.append(_notification(kind, batch, severity))
    for kind in _SINGLE:
        out.extend(_notification(kind, (e,), severity) for e in ordered if e.kind == kind)
    return out


def narrowed(note: Notification, events: Sequence[Event], rules: Sequence[Rule]) -> Notification:
    """The share of `note` that holds `events` (a route takes only its severities' alerts),
    in the message's order, keyed and ranked as that share alone: what grouping those
    events by themselves gives."""
    mine = {id(e) for e in events}
    kept = tuple(e for e in note.events if id(e) in mine)
    if kept == note.events:
        return note
    return _notification(note.kind, kept, {r.id: r.severity for r in rules})


def _notification(
    kind: EventKind, events: tuple[Event, ...], severity: dict[str, Severity]
) -> Notification:
    known = [severity[e.rule_id] for e in events if e.rule_id in severity]
    top = min(known, key=SEVERITIES.index) if known else None
    # Firing and resolved are keyed by the alert (fired_at), so a retried evaluation or a
    # resolution maps to the same message; reminders/nodata happen repeatedly, keyed by time.
    parts = [
        f"{e.rule_id}:{_iso(e.fired_at if kind in ('firing', 'resolved') else e.at)}"
        for e in events
    ]
    return Notification(kind, events, top, f"{kind}:{'+'.join(parts)}")


def _iso(at: datetime | None) -> str:
    return at.isoformat() if at is not None else "-"
