"""Post or not: what one rule's state did this tick -> whether a person hears about it.

The lifecycle (bot/monitor/evaluate.py) says what happened (fired, still holds, cleared,
went stale); this decides whether that is worth a message, and records that it was sent
for (`last_notified_at`). Pure, `now` passed in; like Alertmanager's `needsUpdate` each
decision names its reason, so a table of cases reads as the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.monitoring import AlertState, Event, EventKind

__all__ = ["Change", "Decision", "Transition", "announce", "make_event"]

# quiet: pending, or a pending run that ended before its `for`: nothing to say.
# retired: the rule belongs to a tier that is built; its alert resolves whatever the value.
Change = Literal["quiet", "fired", "holds", "cleared", "stale", "retired"]


@dataclass(frozen=True)
class Transition:
    change: Change
    before: AlertState  # the state going into the tick (an expired silence already dropped)
    after: AlertState  # the state the lifecycle moved to
    value: float | None = None  # cleared: the value it cleared at
    until: datetime | None = None  # cleared: when the condition stopped holding
    remind: bool = True  # holds: the rule wants reminders


@dataclass(frozen=True)
class Decision:
    state: AlertState  # `after`, with last_notified_at set when a message goes out
    event: Event | None
    reason: str


def announce(
    t: Transition, now: datetime, *, silenced: bool, repeat_interval: timedelta
) -> Decision:
    after = t.after
    if t.change == "quiet":
        return Decision(after, None, "quiet")
    if t.change == "fired":
        if silenced:
            return Decision(after, None, "silenced: announced when the silence ends")
        state = after.model_copy(update={"last_notified_at": now})
        return Decision(state, make_event("firing", state, now), "fired")
    if t.change == "holds":
        if silenced:
            return Decision(after, None, "silenced")
        if after.last_notified_at is None:
            # Fired under a silence that has since ended: the first announcement is owed.
            kind: EventKind = "firing"
        elif not t.remind:
            return Decision(after, None, "the rule takes no reminders")
        elif now - after.last_notified_at >= repeat_interval:
            kind = "reminder"
        else:
            return Decision(after, None, "told within the repeat interval")
        state = after.model_copy(update={"last_notified_at": now})
        return Decision(state, make_event(kind, state, now), kind)
    told = t.before.last_notified_at is not None and not silenced
    if t.change == "retired":
        if t.before.fired_at is None or not told:
            return Decision(after, None, "retired quietly: nobody was told it fired")
        event = make_event("resolved", t.before, now, value=t.before.last_value, reason="built")
        return Decision(after, event, "resolved: its tier is built")
    if t.change == "cleared":
        if not told:
            return Decision(after, None, "nobody was told it fired")
        event = make_event("resolved", t.before, now, value=t.value, until=t.until)
        return Decision(after, event, "resolved")
    # stale: missing data is never a resolution; say so once for an alert people know of.
    if t.before.fired_at is None or t.before.status == "nodata" or not told:
        return Decision(after, None, "quiet: not an announced alert, or already said")
    return Decision(after, make_event("nodata", after, now), "no data")


def make_event(
    kind: EventKind,
    state: AlertState,
    now: datetime,
    *,
    value: float | None = None,
    until: datetime | None = None,
    reason: str | None = None,
) -> Event:
    start = state.active_since or state.fired_at or now
    end = until or now
    return Event(
        kind=kind,
        rule_id=state.rule_id,
        value=state.last_value if value is None else value,
        at=now,
        held_for_seconds=max(0.0, (end - start).total_seconds()),
        fired_at=state.fired_at,
        reason=reason,
    )
