"""p2 alerts by email to a real SMTP server (aiosmtpd) on 127.0.0.1, over STARTTLS or
implicit TLS with a trustme certificate; a password is never sent without TLS."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from bot.notify.compose import load_payload
from bot.notify.health import delivery_health
from bot.notify.poster import Message
from tests.fakeslack import FakeSlack
from tests.notify.posters.helpers import CHANNEL, hold, routed_deps
from tests.support.metrics_helpers import Clock
from tests.support.slack import worker_for
from tests.support.smtpserver import SmtpServer

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def mail_settings(server: SmtpServer, *, credentials: bool = True) -> dict[str, Any]:
    return {
        "smtp_url": server.url(credentials=credentials),
        "email_from": "capacity@example.com",
        "email_to": ("ops@example.com", "lead@example.com"),
    }


async def test_p2_alert_is_mailed_over_starttls_and_its_resolution_replies(
    slack: FakeSlack, smtp: SmtpServer
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(smtp))
    worker = worker_for(deps, slack, routes=True, tls=smtp.client_tls, base_delay=0.5)
    await hold(deps, worker, clock, "error_rate_pct", 5, 7)
    (fired,) = smtp.received
    assert fired.tls and fired.login == "alerts"
    assert fired.rcpt_tos == ["ops@example.com", "lead@example.com"]
    assert fired.message["Subject"] == "Capacity warning: Error rate > 2% for 5 min"
    body = fired.message.get_payload()
    assert "error_rate_pct` is 5% (threshold > 2%), held for 5m" in body
    assert "&gt;" not in body and "&amp;" not in body  # Slack's escaping undone
    await hold(deps, worker, clock, "error_rate_pct", 5, 5 * 60)  # no reminder emails
    assert len(smtp.received) == 1
    await hold(deps, worker, clock, "error_rate_pct", 0.5, 8)
    fired, resolved = smtp.received
    assert resolved.message["Subject"].startswith("Resolved: Error rate")
    assert resolved.message["In-Reply-To"] == fired.message["Message-ID"]
    assert slack.messages_in(CHANNEL) == []


async def test_smtps_speaks_tls_from_the_first_byte(slack: FakeSlack) -> None:
    clock = Clock()
    with SmtpServer("implicit") as server:
        deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(server))
        worker = worker_for(deps, slack, routes=True, tls=server.client_tls, base_delay=0.5)
        await hold(deps, worker, clock, "error_rate_pct", 5, 6)
        (fired,) = server.received
    assert fired.tls and fired.login == "alerts"


async def test_credentials_are_never_sent_to_a_server_without_tls(slack: FakeSlack) -> None:
    clock = Clock()
    with SmtpServer("plain") as server:
        deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(server))
        worker = worker_for(deps, slack, routes=True, tls=server.client_tls, base_delay=0.5)
        await hold(deps, worker, clock, "error_rate_pct", 5, 6)
        assert server.received == []
    health = delivery_health(deps.plan, deps.settings, deps.store)
    assert health["degraded"] == ["email: starttls_unavailable"]
    (row,) = deps.store.outbox.by_status("queued")  # kept for when TLS is fixed
    assert row.route == "email"


async def test_without_credentials_a_plain_server_still_gets_mail(slack: FakeSlack) -> None:
    clock = Clock()
    with SmtpServer("plain") as server:
        settings = mail_settings(server, credentials=False)
        deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **settings)
        worker = worker_for(deps, slack, routes=True, base_delay=0.5)
        await hold(deps, worker, clock, "error_rate_pct", 5, 6)
        (fired,) = server.received
    assert not fired.tls and fired.login is None


async def test_a_certificate_we_do_not_trust_is_refused(slack: FakeSlack, smtp: SmtpServer) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(smtp))
    worker = worker_for(
        deps, slack, routes=True, base_delay=0.5
    )  # the system trust store: the test CA is unknown
    await hold(deps, worker, clock, "error_rate_pct", 5, 6)
    assert smtp.received == []
    health = delivery_health(deps.plan, deps.settings, deps.store)
    assert health["degraded"] == ["email: certificate_refused"]


async def test_an_email_cut_off_by_a_crash_is_sent_again_with_the_same_message_id(
    slack: FakeSlack, smtp: SmtpServer
) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p2"}, **mail_settings(smtp))
    for _ in range(6):
        deps.store.metrics.add_batch([Sample(metric="error_rate_pct", at=clock(), value=5)])
        evaluate_once(deps, clock())
        clock.advance(minutes=1)
    (row,) = deps.store.outbox.by_status("queued")
    first = worker_for(deps, slack, routes=True, tls=smtp.client_tls, base_delay=0.5)
    first.recover()
    deps.store.outbox.mark_sending(row.id)
    await first.posters["email"].send(Message("firing", row.dedup_key, load_payload(row.payload)))
    restarted = worker_for(deps, slack, routes=True, tls=smtp.client_tls, base_delay=0.5)
    assert restarted.recover() == []  # at least once: sent again
    assert await restarted.run_once() == 1
    once, twice = smtp.received
    assert once.message["Message-ID"] == twice.message["Message-ID"]
