"""Nothing that can wait on SQLite's write lock runs on the event loop: proved, not promised.

The served bot runs with `--refuse-loop-writes` (tests.support.clocked_serve): every
connection refuses, when called from the event loop's thread, any statement that writes
or takes the write lock ("not authorized"). Then everything that writes is driven the way
people and jobs do: the outbox delivers a firing alert queued before start and its
resolution (edit and thread reply), the digest slot due at start (the bot's clock starts
just after it) is claimed, queued, posted and recorded, a slash command records a sample,
`built` records the built tier, `silence` a silence, the change form stores an entry,
Home is published, `POST /api/metrics` stores a batch, `plan reload` records a reload, and
`/healthz` and `/metrics` answer. All of it works, and the log has no "not authorized":
whatever wrote did so on a worker thread.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from store import Store
from tests.fakeslack import FakeSlack, Message, aim_at, event_body, slash_command_body
from tests.slack.conftest import SECRET, signed_headers
from tests.slack.harness import GOOD, view_submission
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.serve_process import (
    free_port,
    serve_process,
    served_env,
    stop_process,
    wait_healthy,
)

ALERTS = "C0ALERTS"
INGEST = "ingest-token-for-tests"
# A Monday, 30 s after the default cron's slot (`0 9 * * mon`): the catch-up digest runs.
SLOT_DUE = datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC)
WAIT = 20.0


def key_of(message: Message) -> str:
    """The outbox key a delivered message carries in its metadata ('' for other posts)."""
    payload = (message.metadata or {}).get("event_payload") or {}
    return str(payload.get("key") or "")


def posted(slack: FakeSlack, prefix: str, thread: str | None = None) -> list[Message]:
    """Messages in the alerts channel (or one thread of it) whose outbox key starts so."""
    return [m for m in slack.messages_in(ALERTS, thread_ts=thread) if key_of(m).startswith(prefix)]


def evaluate(db: Path, clock: Clock, value: float, minutes: int) -> None:
    """Another process's evaluation (the test's): `value` of error_rate_pct each minute."""
    deps = make_deps(clock, store=Store(db), alerts_channel=ALERTS)
    try:
        for _ in range(minutes):
            deps.store.metrics.add_batch([Sample(metric="error_rate_pct", at=clock(), value=value)])
            evaluate_once(deps, clock())
            clock.advance(minutes=1)
    finally:
        deps.close()


async def slash(http: aiohttp.ClientSession, base: str, slack: FakeSlack, text: str) -> str:
    """What the person reads: the ack, or the follow-up when the ack said to wait."""
    url = slack.new_response_url()
    body = aim_at(slash_command_body(text, response_url=url), slack.api_url)
    async with http.post(
        f"{base}/slack/events", data=body, headers=signed_headers(SECRET, body)
    ) as resp:
        assert resp.status == 200
        ack = str((await resp.json()).get("text") or "")
    if ack and not ack.startswith("Working on it"):
        return ack
    answer = await slack.wait_for(lambda: slack.responses(url), timeout=WAIT)
    return str(answer[-1].text)


async def signed(
    http: aiohttp.ClientSession,
    base: str,
    body: bytes,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, str]:
    headers = signed_headers(SECRET, body, content_type=content_type)
    async with http.post(f"{base}/slack/events", data=body, headers=headers) as resp:
        return resp.status, await resp.text()


async def test_a_bot_whose_loop_may_not_write_still_does_everything(
    slack: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "capacity.db"
    plan = tmp_path / "plan.yaml"
    plan.write_text((Path(__file__).parents[2] / "bot/data/default-plan.yaml").read_text())
    # A p1 alert fired before the bot started: its message waits in the outbox.
    before = Clock(SLOT_DUE - timedelta(minutes=15))
    evaluate(db, before, 5.0, 7)
    env = served_env(
        slack.bot_token,
        slack.api_url,
        SECRET,
        ALERTS,
        db,
        CAPACITY_PLAN=str(plan),
        CAPACITY_INGEST_TOKEN=INGEST,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as out:
        proc = await serve_process(
            env, port, cwd=tmp_path, output=out.fileno(), clock_at=SLOT_DUE, refuse_loop_writes=True
        )
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await wait_healthy(http, base)
            # The outbox: the firing alert, then the digest of the slot due at start.
            firing = await slack.wait_for(lambda: posted(slack, "firing:"), timeout=WAIT)
            await slack.wait_for(lambda: posted(slack, "digest:"), timeout=WAIT)
            # It recovers: the resolution edits the message and replies in its thread.
            evaluate(db, before, 0.0, 7)  # resolves after its 5 minutes
            original = firing[0]
            await slack.wait_for(
                lambda: posted(slack, "resolved:", thread=original.ts), timeout=WAIT
            )
            assert slack.message(ALERTS, original.ts).edits  # type: ignore[union-attr]

            # Slash commands that write: a sample, the built tier (its notice comes with the
            # next evaluation, on a worker thread).
            answer = await slash(http, base, slack, "metric mau 900")
            assert "busy" not in answer and "wrong" not in answer, answer
            answer = await slash(http, base, slack, "built 1")
            assert answer.startswith("Built tier: Tier 1"), answer
            answer = await slash(http, base, slack, "silence tier2.mau 2h")
            assert "tier2.mau" in answer and "wrong" not in answer, answer
            # The change form stores its entry (no error shown in the form).
            status, text = await signed(http, base, view_submission(GOOD, view_id="V-guard"))
            assert status == 200 and "response_action" not in text, text
            # Home is published.
            home = event_body(
                {"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"}
            )
            status, _ = await signed(http, base, home, content_type="application/json")
            assert status == 200
            await slack.wait_for(lambda: slack.calls_to("views.publish", ok=True), timeout=WAIT)
            # POST /api/metrics stores its batch.
            sample: dict[str, Any] = {"samples": [{"metric": "mau", "value": 910}]}
            auth = {"Authorization": f"Bearer {INGEST}"}
            async with http.post(f"{base}/api/metrics", json=sample, headers=auth) as resp:
                assert resp.status == 200, await resp.text()
            # A reload of a changed plan is recorded and announced.
            error_rate = 'text: "> 2% for 5 min", rule: {metric: error_rate_pct, op: ">", value: 2,'
            assert error_rate in plan.read_text()
            plan.write_text(plan.read_text().replace(error_rate, error_rate.replace("2", "3")))
            answer = await slash(http, base, slack, "plan reload")
            assert "wrong" not in answer, answer
            await slack.wait_for(lambda: posted(slack, "plan-reload:"), timeout=WAIT)
            async with http.get(f"{base}/healthz") as resp:
                assert resp.status == 200, await resp.text()
            async with http.get(f"{base}/metrics") as resp:
                assert resp.status == 200
        proc.send_signal(signal.SIGTERM)  # the drain at shutdown writes nothing on the loop
        await asyncio.wait_for(proc.wait(), WAIT)
    except BaseException:
        print(log_file.read_text())  # what the bot said, beside the failure
        raise
    finally:
        await stop_process(proc)
    log = log_file.read_text()
    assert proc.returncode == 0, log
    assert "not authorized" not in log, log
    assert "Traceback" not in log, log
    store = Store(db)
    try:
        assert [c.change for c in store.changes.all()].count(GOOD["change"]) == 1
        assert store.metrics.count() >= 2 + 9  # the command, the POST, the evaluations'
        assert store.digests.last_posted() is not None
        assert store.tiers.built_tier() == 1
        assert "tier2.mau" in store.alerts.silences(SLOT_DUE)
        assert store.outbox.counts().get("queued", 0) == 0
    finally:
        store.close()
