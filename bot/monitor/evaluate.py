"""One evaluation tick: rules + samples + previous states -> new states + events.

Lifecycle follows Prometheus/Alertmanager: inactive -> pending -> firing -> inactive,
with `nodata` when the metric goes stale. Pure: `now` is always passed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.monitoring import AlertState, Event, Rule, Sample, Status, require_aware
from bot.monitor.announce import Transition, announce

__all__ = ["Evaluation", "evaluate", "silence"]


@dataclass(frozen=True)
class Evaluation:
    states: dict[str, AlertState]
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class _Config:
    hold_down: timedelta
    repeat_interval: timedelta
    stale_after: timedelta


def silence(state: AlertState, until: datetime, by: str) -> AlertState:
    """The same state, silenced until `until`; the lifecycle keeps moving underneath."""
    return state.model_copy(update={"silenced_until": require_aware(until), "silenced_by": by})


def evaluate(
    rules: Sequence[Rule],
    samples_by_metric: Mapping[str, Sequence[Sample]],
    previous: Mapping[str, AlertState],
    now: datetime,
    *,
    hold_down: timedelta = timedelta(minutes=5),
    repeat_interval: timedelta = timedelta(hours=4),
    stale_after: timedelta = timedelta(minutes=15),
) -> Evaluation:
    """New state for every rule and the events to announce.

    States of rules no longer in `rules` are dropped: the rule was removed from the plan.
    """
    now = require_aware(now)
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError("rule ids must be unique")
    cfg = _Config(hold_down, repeat_interval, stale_after)
    states: dict[str, AlertState] = {}
    events: list[Event] = []
    for rule in rules:
        prev = previous.get(rule.id) or AlertState(rule_id=rule.id)
        samples = _usable(samples_by_metric.get(rule.rule.metric, ()), now)
        samples = _with_last_seen(samples, prev, rule.rule.metric, now)
        state, event = _step(rule, samples, prev, now, cfg)
        states[rule.id] = state
        if event is not None:
            events.append(event)
    return Evaluation(states=states, events=events)


def _usable(samples: Sequence[Sample], now: datetime) -> list[Sample]:
    # Future samples (clock skew) and NaN/inf would make `for` windows meaningless.
    return sorted(
        (s for s in samples if s.at <= now and math.isfinite(s.value)),
        key=lambda s: s.at,
    )


def _with_last_seen(
    samples: list[Sample], prev: AlertState, metric: str, now: datetime
) -> list[Sample]:
    """Add the previous state's newest observation when the caller did not resend it.

    So a caller may pass only samples that arrived since the last tick: a quiet tick
    then still sees the last value (and goes `nodata` only once it is truly stale).
    """
    if prev.last_sample_at is None or prev.last_value is None or prev.last_sample_at > now:
        return samples
    if samples and samples[-1].at >= prev.last_sample_at:
        return samples
    # Every given sample is older, so appending keeps the list sorted.
    return [*samples, Sample(metric=metric, at=prev.last_sample_at, value=prev.last_value)]


def _run_start(
    samples: list[Sample], truth: bool, rule: Rule, gap: timedelta
) -> tuple[datetime, Sample | None]:
    """Earliest sample of the newest run whose condition is `truth`, and the sample before it.

    A gap longer than `gap` also breaks the run: we cannot claim the condition held
    through time we saw nothing, the same reason a stale metric becomes `nodata`.
    """
    start = samples[-1]
    for s in reversed(samples[:-1]):
        if rule.rule.holds(s.value) != truth or start.at - s.at > gap:
            return start.at, s
        start = s
    return start.at, None


def _continued(
    run_start: datetime,
    breaker: Sample | None,
    marker: datetime | None,
    prev: AlertState,
    gap: timedelta,
) -> datetime:
    """Extend the run back to the previous state's marker when nothing broke it in between.

    This lets the caller pass only samples newer than the last tick and still have
    the `for` (or hold-down) judged from when the run really started.
    """
    if marker is None or prev.last_sample_at is None:
        return run_start
    unbroken = breaker is None or breaker.at < marker
    adjacent = run_start - prev.last_sample_at <= gap
    return min(marker, run_start) if unbroken and adjacent else run_start


def _step(
    rule: Rule, samples: list[Sample], prev: AlertState, now: datetime, cfg: _Config
) -> tuple[AlertState, Event | None]:
    silenced = prev.silenced(now)
    base = prev
    if prev.silenced_until is not None and not silenced:
        # An expired silence is history, not state.
        base = prev.model_copy(update={"silenced_until": None, "silenced_by": None})
    transition = _transition(rule, samples, base, now, cfg)
    decision = announce(transition, now, silenced=silenced, repeat_interval=cfg.repeat_interval)
    return decision.state, decision.event


def _transition(
    rule: Rule, samples: list[Sample], base: AlertState, now: datetime, cfg: _Config
) -> Transition:
    """What the lifecycle did this tick; whether anyone hears of it is `announce`'s call."""
    alerting = base.fired_at is not None  # firing, or nodata after firing
    if not rule.active:
        observed: dict[str, object] = {}
        if samples:
            observed = {"last_value": samples[-1].value, "last_sample_at": samples[-1].at}
        return Transition("retired", base, _cleared(base, now, **observed))
    if not samples or now - samples[-1].at > cfg.stale_after:
        return Transition("stale", base, _move(base, "nodata", now))
    newest = samples[-1]
    observed = {"last_value": newest.value, "last_sample_at": newest.at}
    cond = rule.rule.holds(newest.value)
    if cond and alerting:
        held = _move(base, "firing", now, cleared_since=None, **observed)
        return Transition("holds", base, held, remind=rule.remind)
    if cond:
        run, breaker = _run_start(samples, True, rule, cfg.stale_after)
        active = _continued(run, breaker, base.active_since, base, cfg.stale_after)
        if (now - active).total_seconds() < rule.rule.for_seconds:
            pending = _move(base, "pending", now, active_since=active, **observed)
            return Transition("quiet", base, pending)
        fired = _move(
            base,
            "firing",
            now,
            active_since=active,
            fired_at=now,
            cleared_since=None,
            last_notified_at=None,
            **observed,
        )
        return Transition("fired", base, fired)
    if alerting:
        run, breaker = _run_start(samples, False, rule, cfg.stale_after)
        cleared = _continued(run, breaker, base.cleared_since, base, cfg.stale_after)
        if now - cleared < cfg.hold_down:
            held = _move(base, "firing", now, cleared_since=cleared, **observed)
            return Transition("holds", base, held, remind=rule.remind)
        after = _cleared(base, now, **observed)
        return Transition("cleared", base, after, value=newest.value, until=cleared)
    # Pending that went false before its `for` ends quietly, like Prometheus.
    return Transition("quiet", base, _cleared(base, now, **observed))


def _move(state: AlertState, status: Status, now: datetime, **update: object) -> AlertState:
    if status != state.status:
        update["since"] = now
    return state.model_copy(update={"status": status, **update})


def _cleared(state: AlertState, now: datetime, **observed: object) -> AlertState:
    return _move(
        state,
        "inactive",
        now,
        active_since=None,
        fired_at=None,
        last_notified_at=None,
        cleared_since=None,
        **observed,
    )
