"""Metrics that stopped reporting: one warning when a metric that did send goes quiet,
resolved when its samples come back. A metric that never sent anything says nothing
(it is "no data" in `triggers`): nobody set it up, and a message a day about it would
teach the channel to ignore the bot. Pure: `now` and the last-seen times are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.domain.monitoring import AlertState, Event, Rule, require_aware
from bot.domain.rules import MetricRule
from bot.monitor.evaluate import Evaluation

__all__ = ["STALE_PREFIX", "cleared_state", "firing_state", "stale_rule", "staleness"]

STALE_PREFIX = "stale."


def firing_state(
    prev: AlertState, now: datetime, value: float, seen_at: datetime, silenced: bool
) -> AlertState:
    """`prev` firing now (or still, keeping when it first fired) for a rule the monitor does
    not run on samples: a quiet metric, a drifted assumption. `seen_at` is when the value
    was seen; a silenced rule is not marked notified."""
    fired = prev.fired_at if prev.status == "firing" else None
    return prev.model_copy(
        update={
            "status": "firing",
            "since": prev.since if fired else now,
            "active_since": seen_at,
            "fired_at": fired or now,
            "last_value": value,
            "last_sample_at": seen_at,
            "last_notified_at": None if silenced else now,
        }
    )


def cleared_state(prev: AlertState, now: datetime, value: float, seen_at: datetime) -> AlertState:
    """`prev` inactive again (since its last change) for a rule the monitor does not run on
    samples; its silence carries over."""
    return AlertState(
        rule_id=prev.rule_id,
        status="inactive",
        since=now if prev.status != "inactive" else prev.since,
        last_value=value,
        last_sample_at=seen_at,
        silenced_until=prev.silenced_until,
        silenced_by=prev.silenced_by,
    )


def stale_rule(metric: str, stale_after: timedelta) -> Rule:
    """The alert `stale.<metric>`: its `rule` is "seconds since the last sample > limit"."""
    seconds = stale_after.total_seconds()
    return Rule(
        id=f"{STALE_PREFIX}{metric}",
        kind="stale",
        rule=MetricRule(metric=metric, op=">", value=seconds),
        title=f"`{metric}` stopped reporting",
        action="Check the exporter, the Prometheus query or the job that sends it",
        # The default route (the alerts channel): whoever runs the exporters reads it.
        severity="p1",
        remind=False,
    )


def staleness(
    metrics: Iterable[str],
    last_seen: Mapping[str, tuple[datetime, float] | None],
    previous: Mapping[str, AlertState],
    now: datetime,
    stale_after: timedelta,
) -> Evaluation:
    """States of `stale.<metric>` for every watched metric that has ever sent a sample.

    `last_seen` maps a metric to its newest sample (time, value); `previous` may hold
    silences (a silenced warning is not announced, and neither is its resolution).
    """
    now = require_aware(now)
    states: dict[str, AlertState] = {}
    events: list[Event] = []
    watched = set(metrics)
    for metric in sorted(watched):
        seen = last_seen.get(metric)
        rule_id = f"{STALE_PREFIX}{metric}"
        prev = previous.get(rule_id) or AlertState(rule_id=rule_id)
        if seen is None:
            continue  # never reported: no data, no message
        at, value = seen
        quiet = (now - at).total_seconds()
        silenced = prev.silenced(now)
        if quiet > stale_after.total_seconds():
            if prev.status == "firing" and (prev.last_notified_at is not None or silenced):
                states[rule_id] = prev
                continue
            # New, or fired under a silence that has ended: the one warning is still owed.
            state = firing_state(prev, now, value, at, silenced)
            states[rule_id] = state
            if not silenced:
                events.append(
                    Event(
                        kind="firing",
                        rule_id=rule_id,
                        value=value,
                        at=now,
                        held_for_seconds=quiet,
                        fired_at=state.fired_at,
                    )
                )
            continue
        states[rule_id] = cleared_state(prev, now, value, at)
        if prev.status == "firing" and prev.last_notified_at is not None and not silenced:
            events.append(
                Event(
                    kind="resolved",
                    rule_id=rule_id,
                    value=value,
                    at=now,
                    held_for_seconds=max(0.0, (at - (prev.last_sample_at or at)).total_seconds()),
                    fired_at=prev.fired_at,
                )
            )
    for rule_id, prev in sorted(previous.items()):
        # A metric no active rule watches any more (its tier was built): close its warning.
        metric = rule_id.removeprefix(STALE_PREFIX)
        if not rule_id.startswith(STALE_PREFIX) or metric in watched or prev.status != "firing":
            continue
        if prev.last_notified_at is not None and not prev.silenced(now):
            events.append(
                Event(
                    kind="resolved",
                    rule_id=rule_id,
                    value=prev.last_value,
                    at=now,
                    held_for_seconds=0.0,
                    fired_at=prev.fired_at,
                    reason="unwatched",
                )
            )
    return Evaluation(states=states, events=events)
