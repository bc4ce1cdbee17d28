"""A message a route refuses for its content is reported, never parked silently: a line
separator in a plan's alert name reaching the email route (a real aiosmtpd server) is sent
with a one-line subject; a poster that fails anyway (any error) is a delivery failure shown
in /healthz, `status` and Home with the fix, and retried on the usual schedule."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.notify.compose import Payload
from bot.notify.health import delivery_health
from bot.notify.poster import Message, Sent
from bot.render.text import render_text
from tests.fakeslack import FakeSlack
from tests.notify.posters.helpers import CHANNEL, hold, routed_deps
from tests.notify.posters.test_email import mail_settings
from tests.support.metrics_helpers import Clock
from tests.support.pdserver import ROUTING_KEY, PagerDutyReceiver
from tests.support.slack import worker_for
from tests.support.smtpserver import SmtpServer

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

SEPARATORS = {
    "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029",
    "CR": "\r",
    "LF": "\n",
    "CRLF": "\r\n",
    "VT": "\v",
    "FF": "\f",
    "NEL": "\x85",
    "FS": "\x1c",
}


def named(deps: Any, metric: str, name: str) -> None:
    thresholds = tuple(
        t.model_copy(update={"name": name}) if t.rule.metric == metric else t
        for t in deps.plan.thresholds
    )
    deps.plan = deps.plan.model_copy(update={"thresholds": thresholds})


@pytest.mark.parametrize("separator", list(SEPARATORS))
async def test_a_line_separator_in_a_plan_name_still_mails_one_line_subject(
    separator: str, slack: FakeSlack, smtp: SmtpServer
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(smtp))
    named(deps, "error_rate_pct", f"Error{SEPARATORS[separator]}rate")
    worker = worker_for(deps, slack, routes=True, tls=smtp.client_tls)
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)
    (fired,) = smtp.received
    subject = str(fired.message["Subject"])
    assert subject.startswith("Capacity warning: Error rate")
    assert not any(ch in subject for ch in "".join(SEPARATORS.values()))
    assert delivery_health(deps.plan, deps.settings, deps.store)["degraded"] == []


class Broken:
    """A route whose poster fails with an error that is not a DeliveryError."""

    route = "email"
    resend_safe = True

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, message: Message) -> Sent:
        self.calls += 1
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    async def mark_resolved(self, original: Sent, payload: Payload) -> None:
        return None


async def test_any_poster_error_is_reported_with_the_fix_and_retried(
    slack: FakeSlack, smtp: SmtpServer
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(smtp))
    worker = worker_for(deps, slack, routes=True, tls=smtp.client_tls)
    broken = Broken()
    worker.posters["email"] = broken
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)
    tried = broken.calls
    assert tried >= 1
    health = delivery_health(deps.plan, deps.settings, deps.store)
    (reason,) = health["degraded"]
    assert reason.startswith("email: message_refused")
    status = render_text(build_router().dispatch("status", deps.context(user_id="U1")))
    router = build_router()
    home = render_text(home_reply(deps.context(user_id="U1"), router))
    assert "email" in status.lower() and "could not be sent" in status
    assert "ValueError" in status
    assert "could not be sent" in home
    (row,) = deps.store.outbox.by_status("queued")  # kept, retried
    assert row.route == "email"
    # The usual schedule for a refusal a person must look at: again within 5 minutes.
    clock.advance(minutes=5)
    await worker.run_once()
    assert broken.calls == tried + 1
    # Fixed (the real poster back): delivered, and the report clears.
    fixed = worker_for(deps, slack, routes=True, tls=smtp.client_tls)
    worker.posters["email"] = fixed.posters["email"]
    clock.advance(minutes=5)
    await worker.run_once()
    assert len(smtp.received) == 1
    assert delivery_health(deps.plan, deps.settings, deps.store)["degraded"] == []


async def test_a_slack_text_refused_for_its_content_is_reported_not_parked(
    slack: FakeSlack,
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={})
    worker = worker_for(deps, slack, routes=True)
    slack.fail_next("chat.postMessage", error="msg_too_long")
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)
    assert slack.messages_in(CHANNEL) == []
    health = delivery_health(deps.plan, deps.settings, deps.store)
    assert health["degraded"] == [f"slack {CHANNEL}: msg_too_long"]
    status = render_text(build_router().dispatch("status", deps.context(user_id="U1")))
    assert "msg_too_long" in status and "Slack refused the message" in status
    assert len(deps.store.outbox.by_status("queued")) == 1  # kept for the next attempt
    clock.advance(hours=1, minutes=1)
    await worker.run_once()
    assert len(slack.messages_in(CHANNEL)) == 1
    assert delivery_health(deps.plan, deps.settings, deps.store)["degraded"] == []


async def test_a_pagerduty_summary_is_one_line_whatever_the_plan_names_hold(
    slack: FakeSlack, pagerduty: PagerDutyReceiver
) -> None:
    clock = Clock()
    deps = routed_deps(
        clock,
        severities={"error_rate_pct": "p0"},
        pagerduty_routing_key=ROUTING_KEY,
        pagerduty_url=pagerduty.url,
    )
    named(deps, "error_rate_pct", "Error\u2028rate\r\nnow\x85")
    worker = worker_for(deps, slack, routes=True)
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)
    (event,) = pagerduty.events
    summary = event["payload"]["summary"]
    assert "Error rate now" in summary
    assert not any(ch in summary for ch in "".join(SEPARATORS.values()))
