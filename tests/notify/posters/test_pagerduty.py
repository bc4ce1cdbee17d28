"""p0 alerts page through a PagerDuty-like Events API v2 receiver on 127.0.0.1: one
incident per alert, triggered when it fires and resolved (same dedup key) when it clears."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from bot.notify.compose import load_payload
from bot.notify.health import delivery_health
from bot.notify.poster import Message
from tests.fakeslack import FakeSlack
from tests.notify.posters.helpers import CHANNEL, hold, routed_deps
from tests.support.metrics_helpers import Clock
from tests.support.pdserver import ROUTING_KEY, PagerDutyReceiver
from tests.support.slack import worker_for

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def pd_settings(receiver: PagerDutyReceiver, key: str = ROUTING_KEY) -> dict[str, str]:
    return {"pagerduty_routing_key": key, "pagerduty_url": receiver.url}


async def test_p0_alert_triggers_an_incident_and_its_resolution_resolves_it(
    slack: FakeSlack, pagerduty: PagerDutyReceiver
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, **pd_settings(pagerduty))
    worker = worker_for(deps, slack, routes=True, base_delay=0.5)
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)  # `for` is 5 minutes
    (incident,) = pagerduty.incidents.values()
    assert incident.status == "triggered" and incident.severity == "critical"
    assert "error_rate_pct is 5%" in incident.summary and "[p0]" in incident.summary
    assert "threshold.error_rate_pct.0" in incident.dedup_key
    # Still firing for hours: PagerDuty escalates by itself, so no reminders are sent.
    await hold(deps, worker, clock, "error_rate_pct", 5, 5 * 60)
    assert incident.triggers == 1
    await hold(deps, worker, clock, "error_rate_pct", 0.5, 8)  # clears, then hold-down
    assert incident.status == "resolved"
    resolve = incident.events[-1]
    assert resolve["event_action"] == "resolve" and resolve["dedup_key"] == incident.dedup_key
    assert pagerduty.answers == [202, 202]
    assert slack.messages_in(CHANNEL) == []  # p0 does not go to the channel
    assert deps.store.outbox.counts() == {"sent": 2}


async def test_throttled_and_failing_pagerduty_is_retried_and_pages_once(
    slack: FakeSlack, pagerduty: PagerDutyReceiver
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, **pd_settings(pagerduty))
    worker = worker_for(deps, slack, routes=True, base_delay=0.5)
    pagerduty.fail_next(429, retry_after="7")
    pagerduty.fail_next(503)
    await hold(deps, worker, clock, "error_rate_pct", 5, 6)
    # The 429 came a minute ago (the last pass of `hold`); each refusal queued the row for
    # later instead of sleeping inside the pass.
    (row,) = deps.store.outbox.by_status("queued")
    waits = [row.next_attempt_at - (clock() - timedelta(minutes=1))]
    clock.now = row.next_attempt_at
    assert await worker.run_once() == 0  # the 503
    (row,) = deps.store.outbox.by_status("queued")
    waits.append(row.next_attempt_at - clock())
    clock.now = row.next_attempt_at
    assert await worker.run_once() == 1
    assert waits == [timedelta(seconds=7), timedelta(seconds=1)]  # Retry-After, then backoff
    (incident,) = pagerduty.incidents.values()
    assert incident.triggers == 1


async def test_a_refused_routing_key_is_not_retried_and_is_reported(
    slack: FakeSlack, pagerduty: PagerDutyReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    wrong = "x" * 32
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, **pd_settings(pagerduty, wrong))
    worker = worker_for(deps, slack, routes=True, base_delay=0.5)
    with caplog.at_level(logging.INFO):
        await hold(deps, worker, clock, "error_rate_pct", 5, 6)
    assert pagerduty.answers == [400]  # permanent: one attempt
    health = delivery_health(deps.plan, deps.settings, deps.store)
    assert health["ok"] is False and health["degraded"] == ["pagerduty: http_400"]
    assert wrong not in caplog.text
    (row,) = deps.store.outbox.by_status("queued")
    assert row.route == "pagerduty" and row.attempts == 1


async def test_a_page_cut_off_by_a_crash_is_sent_again_into_the_same_incident(
    slack: FakeSlack, pagerduty: PagerDutyReceiver
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, **pd_settings(pagerduty))
    for _ in range(6):
        deps.store.metrics.add_batch([Sample(metric="error_rate_pct", at=clock(), value=5)])
        evaluate_once(deps, clock())
        clock.advance(minutes=1)
    (row,) = deps.store.outbox.by_status("queued")
    # The first process sent the trigger and died before recording it.
    first = worker_for(deps, slack, routes=True, base_delay=0.5)
    first.recover()
    deps.store.outbox.mark_sending(row.id)
    await first.posters["pagerduty"].send(
        Message("firing", row.dedup_key, load_payload(row.payload))
    )
    restarted = worker_for(deps, slack, routes=True, base_delay=0.5)
    assert restarted.recover() == []  # not parked: the dedup key makes a resend safe
    assert await restarted.run_once() == 1
    (incident,) = pagerduty.incidents.values()
    assert incident.status == "triggered" and len(incident.events) == 2
    assert deps.store.outbox.counts() == {"sent": 1}


async def test_a_failing_pagerduty_gets_one_request_a_pass_and_holds_up_no_slack_alert(
    slack: FakeSlack, pagerduty: PagerDutyReceiver
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, **pd_settings(pagerduty))
    worker = worker_for(deps, slack, routes=True, base_delay=0.5)
    pagerduty.fail_next(503, times=100)
    for _ in range(6):  # the p0 rule's `for`: 5 minutes
        deps.store.metrics.add_batch([Sample(metric="error_rate_pct", at=clock(), value=5)])
        evaluate_once(deps, clock())
        clock.advance(minutes=1)
    deps.store.metrics.add_batch([Sample(metric="mau", at=clock(), value=9000)])
    evaluate_once(deps, clock())  # a p1 warning for the channel, queued after the page
    assert await worker.run_once() == 1
    assert pagerduty.answers == [503]  # one request, no retries waited out inside the pass
    assert len(slack.messages_in(CHANNEL)) == 1  # the Slack alert went out meanwhile
    (page,) = deps.store.outbox.by_status("queued")
    assert page.route == "pagerduty" and page.next_attempt_at > clock()
