"""Alert lifecycle, table-driven on a fixed clock: one tick per listed minute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.rules import MetricRule
from bot.monitor import AlertState, Rule, Sample, evaluate, silence

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
METRIC = "cpu_pct"

Tick = tuple[int, float | None]  # (minute, value or None for "no new sample")
Seen = tuple[int, str, list[str]]  # (minute, status, event kinds)


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def make_rule(for_: str = "5m", op: str = ">", value: float = 70) -> Rule:
    return Rule(
        id="scaling.cpu_pct",
        kind="scaling",
        rule=MetricRule.model_validate({"metric": METRIC, "op": op, "value": value, "for": for_}),
        title="CPU high",
        severity="p1",
    )


def run(
    rule: Rule,
    ticks: Sequence[Tick],
    *,
    incremental: bool,
    silences: dict[int, int] | None = None,
    **kwargs: timedelta,
) -> list[Seen]:
    """Evaluate at every tick; `incremental` sends only the new sample, else all so far.

    `silences` maps a minute to the minute its silence ends, applied before that tick.
    """
    history: list[Sample] = []
    states: dict[str, AlertState] = {}
    seen: list[Seen] = []
    for minute, value in ticks:
        new = [] if value is None else [Sample(metric=METRIC, at=at(minute), value=value)]
        history.extend(new)
        if silences and minute in silences:
            prev = states.get(rule.id) or AlertState(rule_id=rule.id)
            states[rule.id] = silence(prev, at(silences[minute]), "alice")
        result = evaluate(
            [rule], {METRIC: new if incremental else history}, states, at(minute), **kwargs
        )
        states = result.states
        seen.append((minute, states[rule.id].status, [e.kind for e in result.events]))
    return seen


def every(start: int, stop: int, value: float | None, step: int = 1) -> list[Tick]:
    return [(m, value) for m in range(start, stop + 1, step)]


CASES: list[tuple[str, str, list[Tick], dict[int, tuple[str, list[str]]]]] = [
    (
        "pending then firing exactly at for",
        "5m",
        every(0, 6, 80),
        {
            0: ("pending", []),
            4: ("pending", []),
            5: ("firing", ["firing"]),
            6: ("firing", []),
        },
    ),
    (
        "pending cancelled, run restarts",
        "5m",
        [*every(0, 3, 80), (4, 50), *every(5, 10, 80)],
        {
            3: ("pending", []),
            4: ("inactive", []),
            5: ("pending", []),
            9: ("pending", []),
            10: ("firing", ["firing"]),
        },
    ),
    (
        "for=0 fires on the first true evaluation",
        "0",
        [(0, 80), (1, 80)],
        {0: ("firing", ["firing"]), 1: ("firing", [])},
    ),
    (
        "value at the threshold does not satisfy >",
        "0",
        [(0, 70)],
        {0: ("inactive", [])},
    ),
    (
        "hold-down: oscillating around the threshold never flaps",
        "0",
        [(m, 80 if m % 2 == 0 else 60) for m in range(0, 20)],
        {0: ("firing", ["firing"]), **{m: ("firing", []) for m in range(1, 20)}},
    ),
    (
        "resolves once false for the whole hold-down",
        "0",
        [(0, 80), *every(1, 6, 60)],
        {
            0: ("firing", ["firing"]),
            5: ("firing", []),
            6: ("inactive", ["resolved"]),
        },
    ),
    (
        "stale metric goes nodata once, never resolved, and recovers while true",
        "0",
        [(0, 80), *every(5, 30, None, 5), (31, 80), (32, 80)],
        {
            0: ("firing", ["firing"]),
            15: ("firing", []),
            20: ("nodata", ["nodata"]),
            25: ("nodata", []),
            30: ("nodata", []),
            31: ("firing", []),
            32: ("firing", []),
        },
    ),
    (
        "data returns false after nodata: resolves with hold-down",
        "0",
        [(0, 80), (20, None), *every(21, 26, 60)],
        {
            0: ("firing", ["firing"]),
            20: ("nodata", ["nodata"]),
            21: ("firing", []),
            25: ("firing", []),
            26: ("inactive", ["resolved"]),
        },
    ),
    (
        "pending interrupted by a data gap does not carry its progress over",
        "10m",
        [*every(0, 4, 80), (25, None), *every(26, 36, 80)],
        {
            4: ("pending", []),
            25: ("nodata", []),
            26: ("pending", []),
            35: ("pending", []),
            36: ("firing", ["firing"]),
        },
    ),
    (
        "reminders every repeat interval while firing",
        "0",
        every(0, 190, 80, 10),
        {
            0: ("firing", ["firing"]),
            50: ("firing", []),
            60: ("firing", ["reminder"]),
            70: ("firing", []),
            120: ("firing", ["reminder"]),
            180: ("firing", ["reminder"]),
            190: ("firing", []),
        },
    ),
]


@pytest.mark.parametrize("incremental", [False, True], ids=["window", "incremental"])
@pytest.mark.parametrize(("name", "for_", "ticks", "expected"), CASES, ids=[c[0] for c in CASES])
def test_lifecycle(
    name: str,
    for_: str,
    ticks: list[Tick],
    expected: dict[int, tuple[str, list[str]]],
    incremental: bool,
) -> None:
    seen = run(
        make_rule(for_),
        ticks,
        incremental=incremental,
        repeat_interval=timedelta(hours=1),
    )
    got = {minute: (status, kinds) for minute, status, kinds in seen if minute in expected}
    assert got == expected
    # Nothing outside the table's expectations may emit an event.
    extra = [(m, k) for m, _, k in seen if k and m not in expected]
    assert extra == []


def test_no_samples_ever_is_nodata_without_event() -> None:
    rule = make_rule("0")
    result = evaluate([rule], {}, {}, T0)
    assert result.states[rule.id].status == "nodata"
    assert result.events == []


def test_backlog_spanning_for_fires_in_one_evaluation() -> None:
    rule = make_rule("5m")
    backlog = [Sample(metric=METRIC, at=at(m), value=80) for m in range(0, 6)]
    result = evaluate([rule], {METRIC: backlog}, {}, at(5))
    state = result.states[rule.id]
    assert state.status == "firing"
    assert state.active_since == T0
    assert [(e.kind, e.held_for_seconds) for e in result.events] == [("firing", 300.0)]


def test_backlog_with_a_false_sample_only_counts_the_latest_run() -> None:
    rule = make_rule("5m")
    values = [80, 80, 80, 60, 80, 80]
    backlog = [Sample(metric=METRIC, at=at(m), value=v) for m, v in enumerate(values)]
    result = evaluate([rule], {METRIC: backlog}, {}, at(5))
    assert result.states[rule.id].status == "pending"
    assert result.states[rule.id].active_since == at(4)
    assert result.events == []


def test_backlog_with_a_gap_longer_than_stale_after_does_not_count_as_held() -> None:
    rule = make_rule("30m")
    backlog = [Sample(metric=METRIC, at=at(m), value=80) for m in (0, 20, 40)]
    result = evaluate([rule], {METRIC: backlog}, {}, at(40))
    assert result.states[rule.id].status == "pending"
    assert result.states[rule.id].active_since == at(40)


def test_future_and_nan_samples_are_ignored() -> None:
    rule = make_rule("0")
    samples = [
        Sample(metric=METRIC, at=at(0), value=50),
        Sample(metric=METRIC, at=at(1), value=float("nan")),
        Sample(metric=METRIC, at=at(9), value=99),
    ]
    result = evaluate([rule], {METRIC: samples}, {}, at(1))
    assert result.states[rule.id].status == "inactive"
    assert result.states[rule.id].last_value == 50


SILENCE_CASES: list[tuple[str, list[Tick], dict[int, int], dict[int, tuple[str, list[str]]]]] = [
    (
        "fires under a silence, announced when the silence ends",
        every(0, 11, 80),
        {0: 10},
        {0: ("firing", []), 9: ("firing", []), 10: ("firing", ["firing"]), 11: ("firing", [])},
    ),
    (
        "silenced while firing: no reminder, no resolved",
        [*every(0, 120, 80, 10), *every(121, 130, 50)],
        {10: 200},
        {0: ("firing", ["firing"]), 60: ("firing", []), 130: ("inactive", [])},
    ),
    (
        "fired and resolved under a silence: nothing to announce afterwards",
        [(0, 80), *every(1, 7, 50), (12, 50)],
        {0: 10},
        {0: ("firing", []), 6: ("inactive", []), 12: ("inactive", [])},
    ),
    (
        "silenced nodata is quiet",
        [(0, 80), (20, None)],
        {20: 30},
        {0: ("firing", ["firing"]), 20: ("nodata", [])},
    ),
]


@pytest.mark.parametrize(
    ("name", "ticks", "silences", "expected"), SILENCE_CASES, ids=[c[0] for c in SILENCE_CASES]
)
def test_silence(
    name: str,
    ticks: list[Tick],
    silences: dict[int, int],
    expected: dict[int, tuple[str, list[str]]],
) -> None:
    seen = run(
        make_rule("0"),
        ticks,
        incremental=False,
        silences=silences,
        repeat_interval=timedelta(hours=1),
    )
    got = {minute: (status, kinds) for minute, status, kinds in seen if minute in expected}
    assert got == expected
    assert [(m, k) for m, _, k in seen if k and m not in expected] == []


def test_silence_is_visible_in_state_and_cleared_when_it_ends() -> None:
    rule = make_rule("0")
    samples = {METRIC: [Sample(metric=METRIC, at=T0, value=80)]}
    quiet = silence(AlertState(rule_id=rule.id), at(10), "alice")
    during = evaluate([rule], samples, {rule.id: quiet}, T0).states[rule.id]
    assert (during.status, during.silenced_until, during.silenced_by) == (
        "firing",
        at(10),
        "alice",
    )
    assert during.last_notified_at is None
    after = evaluate([rule], samples, {rule.id: during}, at(10))
    assert after.states[rule.id].silenced_until is None
    assert after.states[rule.id].silenced_by is None
    assert [e.kind for e in after.events] == ["firing"]
    assert after.states[rule.id].last_notified_at == at(10)


def test_resolved_event_carries_the_alert_identity() -> None:
    rule = make_rule("0")
    history = [Sample(metric=METRIC, at=at(0), value=80)]
    first = evaluate([rule], {METRIC: history}, {}, at(0))
    history += [Sample(metric=METRIC, at=at(m), value=50) for m in range(1, 7)]
    done = evaluate([rule], {METRIC: history}, first.states, at(6))
    (event,) = done.events
    assert event.kind == "resolved"
    assert event.fired_at == at(0)
    assert event.value == 50
    # Held from the first true sample until the condition cleared.
    assert event.held_for_seconds == 60.0


def test_removed_rules_are_dropped_and_duplicate_ids_rejected() -> None:
    rule = make_rule("0")
    stale = {"tier9.gone": AlertState(rule_id="tier9.gone", status="firing")}
    result = evaluate([rule], {}, stale, T0)
    assert set(result.states) == {rule.id}
    with pytest.raises(ValueError, match="unique"):
        evaluate([rule, rule], {}, {}, T0)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        evaluate([make_rule()], {}, {}, datetime(2024, 1, 1))
