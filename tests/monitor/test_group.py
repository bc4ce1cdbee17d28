"""Grouping one evaluation's events into notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.rules import MetricRule
from bot.monitor import Event, Rule, Sample, evaluate, group_events

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def make_rule(rule_id: str, metric: str, severity: str) -> Rule:
    return Rule(
        id=rule_id,
        kind="threshold",
        rule=MetricRule(metric=metric, op=">", value=10),
        title=rule_id,
        severity=severity,
    )


RULES = [
    make_rule("tier2.mau", "mau", "p2"),
    make_rule("scaling.cpu_pct", "cpu_pct", "p1"),
    make_rule("scaling.api_p95", "api_p95", "p1"),
    make_rule("db.disk", "disk", "p0"),
]


def samples(at: datetime, value: float, metrics: list[str]) -> dict[str, list[Sample]]:
    return {m: [Sample(metric=m, at=at, value=value)] for m in metrics}


def test_three_firing_in_one_evaluation_are_one_notification() -> None:
    rules = RULES[:3]
    result = evaluate(rules, samples(T0, 50, ["mau", "cpu_pct", "api_p95"]), {}, T0)
    (note,) = group_events(result.events, rules)
    assert note.kind == "firing"
    # Severity first, then rule id.
    assert note.rule_ids == ("scaling.api_p95", "scaling.cpu_pct", "tier2.mau")
    assert note.severity == "p1"
    iso = T0.isoformat()
    assert note.dedup_key == (f"firing:scaling.api_p95:{iso}+scaling.cpu_pct:{iso}+tier2.mau:{iso}")


def test_resolutions_are_separate_and_keyed_by_the_alert() -> None:
    rules = RULES[:3]
    metrics = ["mau", "cpu_pct", "api_p95"]
    fired = evaluate(rules, samples(T0, 50, metrics), {}, T0)
    later = T0 + timedelta(minutes=10)
    history = {m: [*samples(T0, 50, [m])[m], *samples(later, 1, [m])[m]] for m in metrics}
    history["mau"] = samples(later, 50, ["mau"])["mau"]
    done = evaluate(rules, history, fired.states, later, hold_down=timedelta(0))
    notes = group_events(done.events, rules)
    assert [(n.kind, n.rule_ids) for n in notes] == [
        ("resolved", ("scaling.api_p95",)),
        ("resolved", ("scaling.cpu_pct",)),
    ]
    assert notes[0].dedup_key == f"resolved:scaling.api_p95:{T0.isoformat()}"


def test_mixed_kinds_order_and_unknown_rules_sort_last() -> None:
    def ev(kind: str, rule_id: str) -> Event:
        return Event(
            kind=kind,
            rule_id=rule_id,
            value=1.0,
            at=T0,
            held_for_seconds=0,
            fired_at=T0,
        )

    events = [
        ev("resolved", "tier2.mau"),
        ev("reminder", "tier2.mau"),
        ev("firing", "ghost.rule"),
        ev("firing", "db.disk"),
        ev("nodata", "scaling.cpu_pct"),
        ev("reminder", "db.disk"),
    ]
    notes = group_events(events, RULES)
    assert [(n.kind, n.rule_ids, n.severity) for n in notes] == [
        ("firing", ("db.disk", "ghost.rule"), "p0"),
        ("reminder", ("db.disk", "tier2.mau"), "p0"),
        ("resolved", ("tier2.mau",), "p2"),
        ("nodata", ("scaling.cpu_pct",), "p1"),
    ]
    # Same events, same keys: a retried delivery posts nothing new.
    assert [n.dedup_key for n in group_events(list(reversed(events)), RULES)] == [
        n.dedup_key for n in notes
    ]


def test_no_events_no_notifications() -> None:
    assert group_events([], RULES) == []
