"""The route stage takes the group stage's messages as grouped: each route gets its share
of a message (a bad minute is still one message per route), PagerDuty one per alert, and
only Slack the reminders."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.rules import MetricRule
from bot.monitor import Event, Rule, group_events
from bot.monitor.routes import Destination, Routes
from bot.notify.dispatch import route_notifications

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SLACK = Destination("slack", "C_ALERTS", "slack")
PAGER = Destination("pagerduty", "pagerduty", "pagerduty")
MAIL = Destination("email", "ops@example.com", "email")
ROUTES = Routes({"p0": PAGER, "p1": SLACK, "p2": MAIL})


def rule(rule_id: str, severity: str) -> Rule:
    return Rule(
        id=rule_id,
        kind="threshold",
        rule=MetricRule(metric=rule_id, op=">", value=10),
        title=rule_id,
        severity=severity,
    )


RULES = [rule("disk", "p0"), rule("db", "p0"), rule("cpu", "p1"), rule("mau", "p1")]
RULES += [rule("storage", "p2"), rule("cost", "p2")]


def event(kind: str, rule_id: str) -> Event:
    return Event(kind=kind, rule_id=rule_id, value=20.0, at=T0, held_for_seconds=300, fired_at=T0)


def test_each_route_takes_its_share_of_the_grouped_messages() -> None:
    announced = [
        event("firing", "storage"),
        event("firing", "cpu"),
        event("firing", "db"),
        event("firing", "disk"),
        event("firing", "mau"),
        event("reminder", "cost"),
        event("reminder", "mau"),
        event("reminder", "disk"),
        event("resolved", "cost"),
    ]
    grouped = group_events(announced, RULES)
    routed = route_notifications(grouped, RULES, ROUTES, announced)
    got = {d.route: [(n.kind, n.rule_ids, n.severity) for n in notes] for d, notes in routed}
    # Routes in the order their first event was announced; PagerDuty's alerts too.
    assert [d.route for d, _ in routed] == ["email", "slack", "pagerduty"]
    assert got == {
        "email": [("firing", ("storage",), "p2"), ("resolved", ("cost",), "p2")],
        # The reminder of three alerts: only the one whose route is Slack is said again.
        "slack": [("firing", ("cpu", "mau"), "p1"), ("reminder", ("mau",), "p1")],
        "pagerduty": [("firing", ("db",), "p0"), ("firing", ("disk",), "p0")],
    }
    # Each share is keyed as that share alone: what grouping its events by themselves gives.
    for dest, notes in routed:
        if dest.route != "pagerduty":
            mine = [e for n in notes for e in n.events]
            assert [n.dedup_key for n in notes] == [n.dedup_key for n in group_events(mine, RULES)]


def test_a_message_on_one_route_is_passed_on_as_it_is() -> None:
    announced = [event("firing", "cpu"), event("firing", "mau")]
    (note,) = group_events(announced, RULES)
    ((dest, notes),) = route_notifications([note], RULES, ROUTES, announced)
    assert dest == SLACK and notes == [note] and notes[0] is note
