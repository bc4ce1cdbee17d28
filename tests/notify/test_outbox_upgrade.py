"""Rows queued by the version before the third storey are delivered by this one.

tests/data/outbox-before-storey.db was written by main at c6097d2 with
tests/data/make_outbox_before_storey.py: its firing alerts on Slack, PagerDuty and email
were delivered; queued are their resolutions (Slack's carrying the edit of its message),
a reminder, new firings, their resolutions by the built tier, the built-tier notice, a
digest, a change's confirmation, and a reload's resolution and diff.
"""

from __future__ import annotations

import contextlib
import html
import json
import shutil
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Settings
from bot.deps import build_deps
from bot.notify.compose import (
    digest_payload,
    load_payload,
    reply_payload,
    resolution_edit,
    resolution_reply,
)
from bot.reply import Moment, Prose, Reply, Text
from store import Store
from tests.fakeslack import FakeSlack
from tests.fakeslack.server import Message
from tests.support.metrics_helpers import T0, Clock
from tests.support.pdserver import ROUTING_KEY, PagerDutyReceiver
from tests.support.slack import worker_for
from tests.support.smtpserver import SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
OLD_DB = Path(__file__).parents[1] / "data" / "outbox-before-storey.db"
CHANNEL = "C_ALERTS"
# The firing message the old version posted (its ts is in alert_messages).
ORIGINAL_TS = "1796678225.080686"


async def test_rows_queued_before_the_storey_are_all_delivered(
    slack: FakeSlack, tmp_path: Path
) -> None:
    path = tmp_path / "capacity.db"
    shutil.copy(OLD_DB, path)
    store = Store(path)
    queued = store.outbox.by_status("queued")
    assert {(r.kind, r.route) for r in queued} >= {
        ("firing", "slack"),
        ("reminder", "slack"),
        ("resolved", "slack"),
        ("resolved", "pagerduty"),
        ("resolved", "email"),
        ("built", "slack"),
        ("digest", "slack"),
        ("confirmation", "slack"),
        ("plan_reload", "slack"),
    }
    stack = contextlib.ExitStack()
    slack.messages[CHANNEL] = [Message(CHANNEL, ORIGINAL_TS, "Capacity warnings: 5 alerts", None)]
    async with PagerDutyReceiver() as pagerduty:
        smtp = stack.enter_context(SmtpServer("starttls"))
        settings = Settings(
            alerts_channel=CHANNEL,
            pagerduty_routing_key=ROUTING_KEY,
            pagerduty_url=pagerduty.url,
            smtp_url=smtp.url(),
            email_from="capacity@example.com",
            email_to=("ops@example.com",),
        )
        clock = Clock(T0 + timedelta(days=1))
        deps = build_deps(settings, store=store, clock=clock)
        worker = worker_for(deps, slack, routes=True, tls=smtp.client_tls)
        for _ in range(5):  # a resolution waits for its firing message: a pass or two
            await worker.run_once()
            clock.advance(minutes=1)
        assert store.outbox.counts() == {"sent": 19}
        (event,) = pagerduty.events
        assert event["event_action"] == "resolve"
        assert event["dedup_key"].startswith("capacity-bot/threshold.error_rate_pct.0/")
    stack.close()
    (mail,) = smtp.received
    assert mail.message["Subject"].startswith("Resolved: ")
    assert mail.message["In-Reply-To"]  # a reply to the firing email
    original = slack.message(CHANNEL, ORIGINAL_TS)
    assert original is not None and original.edits and "✅" in (original.text or "")
    texts = [html.unescape(m.text or "") for ms in slack.messages.values() for m in ms]
    for expected in (
        "Still firing",
        "Resolved: 2 alerts",  # the queued firings, sent and then edited resolved
        "Tier 2: 100x Growth is built",
        "old digest from before the storey",
        "Moved to a bigger database",
        "Capacity plan reloaded (version 2)",
    ):
        assert any(expected in t for t in texts), expected
    replies = slack.messages_in(CHANNEL, thread_ts=ORIGINAL_TS)
    assert any("Resolved" in (m.text or "") for m in replies)
    store.close()


async def test_rows_of_both_forms_in_one_database_are_each_delivered_as_meant(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A row queued before holds Slack's Block Kit already rendered: posted as it is. A row
    queued now holds its message as data (a Reply): the Slack poster renders it when it
    posts, and a resolution of a message the old version sent edits it from its Reply."""
    path = tmp_path / "capacity.db"
    shutil.copy(OLD_DB, path)
    store = Store(path)
    zone = ZoneInfo("America/New_York")
    at = T0 + timedelta(days=1)
    (old_digest,) = [r for r in store.outbox.by_status("queued") if r.kind == "digest"]
    old = json.loads(old_digest.payload)
    assert "reply" not in old and old["blocks"]
    # New: a digest whose sentence holds a moment, and a resolution of the old firing message.
    digest = Reply(title="New digest", parts=(Text(Prose("Since ", Moment(at, zone), ".")),))
    store.outbox.enqueue(
        "digest:new", "digest", digest_payload(digest, CHANNEL, at).model_dump_json(), at
    )
    first = load_payload(store.outbox.by_status("sent")[0].payload)
    cleared = {a.rule_id: at for a in first.alerts if a.rule_id != "threshold.db_connections.0"}
    alert = next(a for a in first.alerts if a.rule_id == "scaling.db_connections.0")
    resolution = reply_payload(
        "resolved", CHANNEL, resolution_reply(alert, at, 0, zone), at, (alert,)
    ).model_copy(update={"edit": resolution_edit(first, cleared, zone)})
    assert resolution.reply is not None and resolution.blocks == []
    store.outbox.enqueue("resolved:new", "resolved", resolution.model_dump_json(), at)

    slack.messages[CHANNEL] = [Message(CHANNEL, ORIGINAL_TS, "Capacity warnings: 5 alerts", None)]
    clock = Clock(at)
    deps = build_deps(Settings(alerts_channel=CHANNEL), store=store, clock=clock)
    worker = worker_for(deps, slack)
    for _ in range(5):
        await worker.run_once()
        clock.advance(minutes=1)
    rows = {r.dedup_key: r for r in store.outbox.by_status("sent")}
    assert {"digest:new", "resolved:new", old_digest.dedup_key} <= set(rows)

    def posted(key: str) -> Message:
        found = slack.message(rows[key].channel or "", rows[key].ts or "")
        assert found is not None
        return found

    # The old row exactly as the old version rendered it.
    was = posted(old_digest.dedup_key)
    assert (was.text, was.blocks) == (old["text"], old["blocks"])
    # The new rows rendered now, reading as they did when rendered at composing.
    new = posted("digest:new")
    token = f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|2026-11-28 05:00 EST>"
    assert new.text == "New digest\n==========\nSince 2026-11-28 05:00 EST."
    assert token in json.dumps(new.blocks)
    reply = posted("resolved:new")
    assert reply.thread_ts == ORIGINAL_TS and (reply.text or "").startswith("Resolved: ")
    original = slack.message(CHANNEL, ORIGINAL_TS)
    assert original is not None and original.edits
    # The last edit is the new resolution's: every alert but one shown resolved, in EST.
    assert (original.text or "").startswith("Capacity warning")
    assert (original.text or "").count("✅") == len(cleared) == 4
    assert "EST" in (original.text or "") and "<!date^" in json.dumps(original.blocks)
    store.close()
