"""Plan assumptions off by more than the tolerance: one p2 warning each, resolved when the
measured value comes back. Pure: the reality computation and `now` are passed in.

A row without enough data changes nothing: its warning, if any, stays as it was (too
little data is not a recovery).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.monitoring import AlertState, Event, Rule, require_aware
from bot.domain.reality import Assumption, Reality
from bot.domain.rules import MetricRule
from bot.monitor.evaluate import Evaluation
from bot.monitor.staleness import cleared_state, firing_state

__all__ = ["ASSUMPTION_PREFIX", "assumption_rule", "assumptions"]

ASSUMPTION_PREFIX = "assumption."


def assumption_rule(row: Assumption, tolerance: float) -> Rule:
    """`assumption.<key>`: "the drift, either way, is above the tolerance"."""
    head = f"{row.label}: plan {row.shown(row.plan)}"
    if row.value is not None:
        head += f", measured {row.shown(row.value)} ({row.drift_text()})"
    effects = "; ".join(row.effects)
    return Rule(
        id=f"{ASSUMPTION_PREFIX}{row.key}",
        kind="assumption",
        rule=MetricRule(metric=row.key, op=">", value=tolerance),
        title=f"Plan assumption off: {head}",
        action=f"{effects}. `/capacity reality` shows every assumption."
        if effects
        else "`/capacity reality` shows every assumption.",
        # A plan that is wrong is worth knowing this week, not worth a page.
        severity="p2",
        remind=False,
    )


def assumptions(reality: Reality, previous: Mapping[str, AlertState], now: datetime) -> Evaluation:
    """States of `assumption.<key>` for every row; a warning when one goes off, a
    resolution when it comes back within the tolerance."""
    now = require_aware(now)
    tolerance = reality.tolerance
    states: dict[str, AlertState] = {}
    events: list[Event] = []
    for row in reality.rows:
        rule_id = f"{ASSUMPTION_PREFIX}{row.key}"
        prev = previous.get(rule_id) or AlertState(rule_id=rule_id)
        drift = row.drift_pct
        if drift is None:
            if rule_id in previous:
                states[rule_id] = prev
            continue
        silenced = prev.silenced(now)
        if row.off(tolerance):
            if prev.status == "firing" and (prev.last_notified_at is not None or silenced):
                states[rule_id] = prev.model_copy(update={"last_value": drift})
                continue
            state = firing_state(prev, now, drift, now, silenced)
            if prev.status == "firing":
                # Still the same drift: it has been off since it first was.
                state = state.model_copy(update={"active_since": prev.active_since})
            states[rule_id] = state
            if not silenced:
                events.append(
                    Event(
                        kind="firing",
                        rule_id=rule_id,
                        value=drift,
                        at=now,
                        held_for_seconds=0.0,
                        fired_at=state.fired_at,
                    )
                )
            continue
        states[rule_id] = cleared_state(prev, now, drift, now)
        if prev.status == "firing" and prev.last_notified_at is not None and not silenced:
            held = (now - prev.fired_at).total_seconds() if prev.fired_at else 0.0
            events.append(
                Event(
                    kind="resolved",
                    rule_id=rule_id,
                    value=drift,
                    at=now,
                    held_for_seconds=held,
                    fired_at=prev.fired_at,
                )
            )
    return Evaluation(states=states, events=events)
