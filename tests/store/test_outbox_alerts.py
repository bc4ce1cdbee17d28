"""Outbox dedup and states; alert states, silences and message records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.monitor import AlertState
from store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_dedup_key_is_never_queued_twice() -> None:
    store = Store()
    assert store.outbox.enqueue("firing:a", "firing", "{}", T0, alerts=[("a", "x")])
    assert not store.outbox.enqueue("firing:a", "firing", "{}", T0)
    assert [r.dedup_key for r in store.outbox.due(T0)] == ["firing:a"]
    assert store.outbox.pending_for_alert("a", "x")


def test_failed_rows_wait_for_their_next_attempt() -> None:
    store = Store()
    store.outbox.enqueue("k", "firing", "{}", T0)
    (row,) = store.outbox.due(T0)
    store.outbox.mark_sending(row.id)
    assert store.outbox.due(T0) == []
    store.outbox.mark_failed(row.id, "ratelimited", T0 + timedelta(seconds=30))
    assert store.outbox.due(T0 + timedelta(seconds=29)) == []
    (again,) = store.outbox.due(T0 + timedelta(seconds=30))
    assert again.attempts == 1 and again.last_error == "ratelimited"
    store.outbox.mark_sent(row.id, "C1", "1.0", T0)
    assert store.outbox.counts() == {"sent": 1}


def test_states_round_trip_and_removed_rules_drop() -> None:
    store = Store()
    a = AlertState(rule_id="a", status="firing", since=T0, fired_at=T0, last_value=3)
    store.alerts.save_states({"a": a, "b": AlertState(rule_id="b")}, T0)
    assert store.alerts.states()["a"] == a
    store.alerts.save_states({"b": AlertState(rule_id="b")}, T0)
    assert set(store.alerts.states()) == {"b"}


def test_silences_expire() -> None:
    store = Store()
    store.alerts.silence("a", T0 + timedelta(hours=2), "U1", T0)
    assert store.alerts.silences(T0)["a"].by == "U1"
    assert store.alerts.silences(T0 + timedelta(hours=2)) == {}


def test_a_transaction_spans_repositories() -> None:
    store = Store()
    try:
        with store.transaction():
            store.alerts.save_states({"a": AlertState(rule_id="a")}, T0)
            store.outbox.enqueue("k", "firing", "{}", T0)
            raise RuntimeError("crash mid-evaluation")
    except RuntimeError:
        pass
    assert store.alerts.states() == {} and store.outbox.counts() == {}


def test_alert_messages_record_and_resolve() -> None:
    store = Store()
    store.alerts.record_messages([("a", "f1"), ("b", "f2")], 7, "C1", "1.5")
    store.alerts.mark_resolved("a", "f1", T0)
    msgs = store.alerts.messages_of("C1", "1.5")
    assert [(m.rule_id, m.resolved_at) for m in msgs] == [("a", T0), ("b", None)]
    assert store.alerts.message_for("b", "f2").outbox_id == 7  # type: ignore[union-attr]
