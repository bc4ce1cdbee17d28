"""When Slack will not take alerts (the bot is not in the channel, a refused token) people
hear about it: /healthz (still 200), `status` and Home with the fix, one WARNING in the
log; it clears when a post works again. Through Bolt, the web app and the fake Slack."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.app.hooks import default_hooks
from bot.app.web import WebHooks, build_web_app
from bot.deps import Deps
from bot.notify.deliver import Worker
from bot.slack import app as bot_app
from tests.fakeslack import FakeSlack, aim_at, event_body, signed_headers, slash_command_body
from tests.notify.posters.helpers import CHANNEL, hold
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.slack import worker_for

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SECRET = "routes-signing-secret"


@dataclass
class Served:
    deps: Deps
    slack: FakeSlack
    http: aiohttp.ClientSession
    base: str

    async def healthz(self) -> tuple[int, dict[str, Any]]:
        async with self.http.get(f"{self.base}/healthz") as resp:
            return resp.status, await resp.json()

    async def status(self) -> str:
        body = aim_at(
            slash_command_body("status", user_id="U1", channel_id="C1"), self.slack.api_url
        )
        headers = signed_headers(SECRET, body)
        async with self.http.post(f"{self.base}/slack/events", data=body, headers=headers) as r:
            answer = await r.json()
        return html.unescape(answer["text"])

    async def home(self, user: str = "U7") -> str:
        event = {"type": "app_home_opened", "user": user, "channel": "D7", "tab": "home"}
        body = event_body(event)
        headers = signed_headers(SECRET, body, content_type="application/json")
        async with self.http.post(f"{self.base}/slack/events", data=body, headers=headers):
            pass
        view = await self.slack.wait_for(lambda: self.slack.home_views.get(user), timeout=5)
        self.slack.home_views.pop(user)
        return html.unescape(str(view.view["blocks"]))


@asynccontextmanager
async def served(slack: FakeSlack, clock: Clock, **settings: Any) -> AsyncIterator[Served]:
    """The bot's Bolt app and /healthz as served, without the scheduler: the test delivers."""
    deps = make_deps(
        clock, bot_token=slack.bot_token, signing_secret=SECRET, api_url=slack.api_url, **settings
    )
    client = bot_app.build_client(deps.settings)
    hooks = default_hooks(deps, client)
    deps.registry.checks.pop("scheduler")  # not started here: the test delivers
    bolt = bot_app.build_app(deps, client, process_before_response=True)
    app = build_web_app(deps, bolt, WebHooks(routes=hooks.routes))
    runner, port = await serve_local(app, access_log=None)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            yield Served(deps, slack, http, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()
        deps.close()


def warnings_about(caplog: pytest.LogCaptureFixture, code: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and code in r.getMessage()
    ]


async def pass_later(worker: Worker, clock: Clock, minutes: int = 10) -> None:
    clock.advance(minutes=minutes)
    await worker.run_once()


async def test_bot_not_in_the_alerts_channel_is_loud_once_then_clears(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    async with served(slack, clock) as bot:
        worker = worker_for(bot.deps, slack, routes=True, base_delay=0.5)
        slack.fail_next("chat.postMessage", error="not_in_channel", times=3)
        with caplog.at_level(logging.INFO):
            await hold(bot.deps, worker, clock, "error_rate_pct", 5, 6)
            await pass_later(worker, clock)
            await pass_later(worker, clock)
        assert len(slack.calls_to("chat.postMessage", ok=False)) == 3
        (warning,) = warnings_about(caplog, "not_in_channel")
        assert "/invite @capacity-bot" in warning

        status, body = await bot.healthz()
        # Degraded, never down: the bot itself is fine, an orchestrator must not restart it.
        assert status == 200 and body["status"] == "degraded" and body["degraded"] == ["alerts"]
        assert body["alerts"]["ok"] is False
        assert body["alerts"]["degraded"] == [f"slack {CHANNEL}: not_in_channel"]

        fix = "/invite @capacity-bot in #alerts"
        text = await bot.status()
        assert "Alerts cannot reach Slack #alerts (C_ALERTS): not_in_channel" in text
        assert fix in text
        assert "Error rate" in text  # the alert itself still shows as firing
        assert fix in await bot.home()

        # Someone invites the bot: the next pass posts the warning and the problem clears.
        await pass_later(worker, clock)
        (posted,) = slack.messages_in(CHANNEL)
        assert "Error rate" in html.unescape(posted.text or "")
        status, body = await bot.healthz()
        assert body["status"] == "ok"
        assert body["alerts"] == {
            "ok": True,
            "routes": {"p0": "slack", "p1": "slack", "p2": "slack"},
            "degraded": [],
        }
        assert fix not in await bot.status()
        assert len(warnings_about(caplog, "not_in_channel")) == 1


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("channel_not_found", "set CAPACITY_ALERTS_CHANNEL to the channel's id"),
        ("is_archived", "is archived: unarchive it"),
        ("invalid_auth", "Slack refused SLACK_BOT_TOKEN"),
        ("account_inactive", "deactivated: reinstall the app"),
    ],
)
async def test_each_refusal_a_person_must_fix_is_shown_with_its_fix(
    slack: FakeSlack, code: str, fix: str
) -> None:
    clock = Clock()
    async with served(slack, clock) as bot:
        worker = worker_for(bot.deps, slack, routes=True, base_delay=0.5)
        slack.fail_next("chat.postMessage", error=code, times=5)
        await hold(bot.deps, worker, clock, "error_rate_pct", 5, 6)
        _, body = await bot.healthz()
        assert body["alerts"]["degraded"] == [f"slack {CHANNEL}: {code}"]
        assert fix in await bot.status()
        assert len(slack.calls_to("chat.postMessage", ok=False)) == 1  # no retry storm
