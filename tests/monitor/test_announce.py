"""Post or not, as a table: what happened to an alert, and whether a person hears of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.monitoring import AlertState
from bot.monitor.announce import Change, Transition, announce

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
FIRING = AlertState(rule_id="r", status="firing", fired_at=NOW - HOUR, last_value=9.0)


def told(ago: timedelta | None) -> AlertState:
    return FIRING.model_copy(update={"last_notified_at": None if ago is None else NOW - ago})


@pytest.mark.parametrize(
    ("change", "before", "silenced", "kind", "reason"),
    [
        ("quiet", AlertState(rule_id="r"), False, None, "quiet"),
        ("fired", AlertState(rule_id="r"), False, "firing", "fired"),
        ("fired", AlertState(rule_id="r"), True, None, "silenced: announced when the silence ends"),
        ("holds", told(HOUR), False, None, "told within the repeat interval"),
        ("holds", told(5 * HOUR), False, "reminder", "reminder"),
        ("holds", told(None), False, "firing", "firing"),
        ("holds", told(5 * HOUR), True, None, "silenced"),
        ("cleared", told(HOUR), False, "resolved", "resolved"),
        ("cleared", told(None), False, None, "nobody was told it fired"),
        ("stale", told(HOUR), False, "nodata", "no data"),
        ("stale", told(HOUR), True, None, "quiet: not an announced alert, or already said"),
        ("retired", told(HOUR), False, "resolved", "resolved: its tier is built"),
        ("retired", told(None), False, None, "retired quietly: nobody was told it fired"),
    ],
)
def test_who_hears_of_what(
    change: Change, before: AlertState, silenced: bool, kind: str | None, reason: str
) -> None:
    after = before if change != "fired" else before.model_copy(update={"fired_at": NOW})
    decision = announce(
        Transition(change, before, after, value=1.0, until=NOW),
        NOW,
        silenced=silenced,
        repeat_interval=4 * HOUR,
    )
    assert (decision.event.kind if decision.event else None) == kind
    assert decision.reason == reason
    if kind in ("firing", "reminder"):
        assert decision.state.last_notified_at == NOW


def test_a_rule_that_takes_no_reminders_stays_quiet_while_it_holds() -> None:
    decision = announce(
        Transition("holds", told(5 * HOUR), told(5 * HOUR), remind=False),
        NOW,
        silenced=False,
        repeat_interval=4 * HOUR,
    )
    assert decision.event is None and decision.reason == "the rule takes no reminders"
