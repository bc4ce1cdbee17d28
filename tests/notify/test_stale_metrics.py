"""Metrics nobody sends make no noise; a metric that stops reporting warns once and
resolves when it comes back (edit + thread reply), through the fake Slack."""

from __future__ import annotations

import html

import pytest

from bot.commands import build_router
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.deliver import Worker
from bot.render.text import render_text
from tests.fakeslack import FakeSlack
from tests.fakeslack.server import Message
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.slack import worker_for

ROUTER = build_router()

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CHANNEL = "C_ALERTS"


def top_level(slack: FakeSlack) -> list[Message]:
    return [m for m in slack.messages_in(CHANNEL) if m.thread_ts in (None, m.ts)]


def text(message: Message) -> str:
    return html.unescape(message.text or "")


async def run(deps: Deps, worker: Worker, clock: Clock, minutes: int, cpu: float | None) -> None:
    """`minutes` of one-minute ticks; `cpu` is sent each minute unless None."""
    for _ in range(minutes):
        clock.advance(minutes=1)
        deps.store.metrics.add_batch([Sample(metric="mau", at=clock(), value=120)])
        if cpu is not None:
            deps.store.metrics.add_batch([Sample(metric="cpu_pct", at=clock(), value=cpu)])
        evaluate_once(deps, clock())
        await worker.run_once()


async def test_metrics_nobody_sends_are_no_data_and_no_message(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    await run(deps, worker_for(deps, slack), clock, 60 * 24, cpu=None)
    assert top_level(slack) == []
    out = render_text(ROUTER.dispatch("triggers", deps.context("U1")))
    line = next(x for x in out.splitlines() if x.startswith("scaling.cpu_pct.0"))
    assert "no data" in line and "stopped" not in line


async def test_a_metric_that_stops_warns_once_then_resolves(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    await run(deps, worker, clock, 30, cpu=40)
    assert top_level(slack) == []
    await run(deps, worker, clock, 60 * 12, cpu=None)  # twelve quiet hours
    (warning,) = top_level(slack)
    assert "`cpu_pct` stopped reporting" in text(warning)
    assert "no `cpu_pct` sample for 16m; the last was 40%" in text(warning)
    out = render_text(ROUTER.dispatch("triggers", deps.context("U1")))
    assert "stale.cpu_pct" in out and "stopped reporting" in out
    line = next(x for x in out.splitlines() if x.startswith("scaling.cpu_pct.0"))
    assert "no data (stopped reporting)" in line

    await run(deps, worker, clock, 3, cpu=45)
    assert len(top_level(slack)) == 1
    original = slack.message(CHANNEL, warning.ts)
    assert original is not None and original.edits and "✅" in text(original)
    (reply,) = [m for m in slack.messages_in(CHANNEL, thread_ts=warning.ts) if m.ts != warning.ts]
    assert "`cpu_pct` is reporting again: 45%." in text(reply)
    assert deps.store.alerts.states()["stale.cpu_pct"].status == "inactive"


async def test_a_stale_warning_can_be_silenced(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    await run(deps, worker, clock, 5, cpu=40)
    out = render_text(ROUTER.dispatch("silence stale.cpu_pct 2h", deps.context("U1")))
    assert "Silenced stale.cpu_pct for 2h" in out
    await run(deps, worker, clock, 60, cpu=None)
    assert top_level(slack) == []
    assert deps.store.alerts.states()["stale.cpu_pct"].status == "firing"
    await run(deps, worker, clock, 60, cpu=None)  # the silence is over: warned once now
    (warning,) = top_level(slack)
    assert "`cpu_pct` stopped reporting" in text(warning)
    await run(deps, worker, clock, 60, cpu=None)
    assert len(top_level(slack)) == 1
