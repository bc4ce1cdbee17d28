"""A plan assumption off by more than the tolerance: one p2 warning through the outbox,
not repeated, resolved when the measured value comes back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from bot.commands import build_router
from bot.context import Context
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.notify.compose import load_payload
from bot.notify.slack import slack_message
from bot.render.text import render_text
from tests.support.metrics_helpers import T0, Clock, make_deps
from tests.support.reality_sim import plan_true

STEP = timedelta(minutes=10)


def _feed(deps: Deps, files_mb_factor: float, start_days_ago: float, days: float) -> None:
    service = plan_true(deps.plan)
    service = replace(service, files_mb=service.files_mb * files_mb_factor)
    start = deps.clock() - timedelta(days=start_days_ago)
    deps.store.metrics.add_rows(list(service.rows(deps.plan, start, days, STEP)))


def _messages(deps: Deps) -> list[dict[str, object]]:
    rows = [*deps.store.outbox.by_status("queued"), *deps.store.outbox.by_status("sent")]
    # What Slack is sent for each row: its stored Reply rendered by the Slack poster.
    return [
        {**json.loads(r.payload), **slack_message(load_payload(r.payload))}
        for r in sorted(rows, key=lambda r: r.id)
    ]


def _assumption(messages: list[dict[str, object]]) -> list[dict[str, object]]:
    return [m for m in messages if "Plan assumption off: Storage per user" in str(m["text"])]


def test_a_drifted_assumption_warns_once_on_p2_and_resolves_when_it_comes_back() -> None:
    clock = Clock(T0)
    deps = make_deps(clock)
    _feed(deps, 1.4, 10, 10)  # 28 MB of files a user against the plan's 20 MB
    evaluate_once(deps, clock())
    warned = _assumption(_messages(deps))
    assert len(warned) == 1
    text = str(warned[0]["text"])
    assert "Plan assumption off: Storage per user (files): plan 20MB, measured 28MB (+40%)" in text
    assert "beyond the plan's ±25%" in text and "[p2]" in text
    # Once: neither the next tick nor the next check says it again.
    clock.advance(minutes=1)
    evaluate_once(deps, clock())
    clock.advance(minutes=20)
    evaluate_once(deps, clock())
    assert len(_assumption(_messages(deps))) == 1
    # Three weeks of a service back on plan: the median of the days comes back.
    clock.advance(days=21)
    _feed(deps, 1.0, 21, 21)
    evaluate_once(deps, clock())
    after = _messages(deps)
    resolved = [m for m in _assumption(after) if m["kind"] == "resolved"]
    assert len(resolved) == 1
    assert "Back within the plan's ±25%" in str(resolved[0]["text"])


def test_a_drift_within_tolerance_says_nothing() -> None:
    clock = Clock(T0)
    deps = make_deps(clock)
    _feed(deps, 1.1, 10, 10)
    evaluate_once(deps, clock())
    assert _assumption(_messages(deps)) == []
    states = deps.store.alerts.states()
    assert states["assumption.storage_per_user"].status == "inactive"


def test_a_silenced_assumption_says_nothing() -> None:
    clock = Clock(T0)
    deps = make_deps(clock)
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    answer = render_text(build_router().dispatch("silence assumption.storage_per_user 2h", ctx))
    assert "Silenced assumption.storage_per_user for 2h" in answer
    _feed(deps, 1.4, 10, 10)
    evaluate_once(deps, clock())
    assert _assumption(_messages(deps)) == []
    assert deps.store.alerts.states()["assumption.storage_per_user"].status == "firing"


def test_the_digest_names_a_firing_assumption_warning_by_its_title() -> None:
    clock = Clock(T0)
    deps = make_deps(clock)
    _feed(deps, 1.4, 10, 10)
    evaluate_once(deps, clock())
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    digest = render_text(build_router().dispatch("digest", ctx))
    assert "Plan assumption off: Storage per user (files)" in digest
    assert "assumption.storage_per_user" not in digest
