"""A real Bolt app behind a real aiohttp server on 127.0.0.1, talking to the fake Slack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.core.config import Settings
from bot.deps import Deps
from bot.planio.planfile import default_plan
from bot.render.modals import CHANGE_MODAL
from bot.slack import app as bot_app
from bot.slack.intake import Intake
from bot.slack.listeners.errors import drain_background
from store import Store
from tests.fakeslack import (
    UNUSED_RESPONSE_URL,
    FakeSlack,
    aim_at,
    interactivity_body,
    signed_headers,
    slash_command_body,
)
from tests.support.local_server import serve_local

SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def build_app(fake_api_url: str, deps: Deps) -> AsyncApp:
    """The bot's own Bolt app exactly as `BotServer` serves it: every listener, the served
    Web API client (its bounded retries, Retry-After honoured) and
    `process_before_response=True`, so Bolt answers Slack only when a listener returns."""
    settings = deps.settings.model_copy(update={"api_url": fake_api_url})
    return bot_app.build_app(deps, bot_app.build_client(settings), process_before_response=True)


def web_app(app: AsyncApp) -> web.Application:
    """`POST /slack/events` through the served intake (signature first, then Bolt)."""
    web_application = web.Application()
    web_application.router.add_post("/slack/events", Intake(app, SECRET).handle)
    return web_application


@dataclass
class Rig:
    fake: FakeSlack
    deps: Deps
    url: str
    session: aiohttp.ClientSession

    async def post(self, body: bytes) -> aiohttp.ClientResponse:
        body = aim_at(body, self.fake.api_url)
        async with self.session.post(
            self.url, data=body, headers=signed_headers(SECRET, body)
        ) as response:
            await response.read()
            return response

    async def post_json(self, body: bytes, timestamp: int | None = None) -> tuple[int, Any]:
        body = aim_at(body, self.fake.api_url)
        async with self.session.post(
            self.url, data=body, headers=signed_headers(SECRET, body, timestamp)
        ) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text.strip().startswith("{") else text)

    async def slash(self, text: str, user: str = "U1", channel: str = "C1") -> tuple[int, Any]:
        trigger = self.fake.new_trigger_id(user)
        return await self.post_json(
            slash_command_body(text, user_id=user, channel_id=channel, trigger_id=trigger)
        )


@asynccontextmanager
async def rig(
    store: Store | None = None, planners: frozenset[str] = frozenset(), **fake: Any
) -> AsyncIterator[Rig]:
    async with FakeSlack(**fake) as slack:
        deps = Deps(
            Settings(
                planners=planners,
                signing_secret=SECRET,
                bot_token="xoxb-test",
                api_url=slack.api_url,
            ),
            default_plan(),
            lambda: NOW,
            store or Store(":memory:"),
        )
        runner, port = await serve_local(web_app(build_app(slack.api_url, deps)), access_log=None)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                yield Rig(slack, deps, f"http://127.0.0.1:{port}/slack/events", session)
            finally:
                await runner.cleanup()
                # What the listeners started after their acks (a confirmation's post and
                # its record, on a worker thread) ends before its connection is closed.
                await drain_background()
                deps.close()


def view_submission(
    values: dict[str, str],
    *,
    user: str = "U1",
    view_id: str = "V1",
    private_metadata: str = '{"c":"C1","k":"k1"}',
) -> bytes:
    """A view_submission payload for the change modal with `values` typed in."""
    state: dict[str, Any] = {}
    for field, value in values.items():
        if field == "date":
            element: dict[str, Any] = {"type": "datepicker", "selected_date": value or None}
        elif field == "tier":
            element = {
                "type": "static_select",
                "selected_option": {"value": value} if value else None,
            }
        else:
            element = {"type": "plain_text_input", "value": value or None}
        state[field] = {"value": element}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "fake"},
        "user": {"id": user, "username": "tester", "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "token": "deprecated",
        "trigger_id": "1.2.abc",
        "view": {
            "id": view_id,
            "team_id": "T1",
            "type": "modal",
            "callback_id": CHANGE_MODAL,
            "private_metadata": private_metadata,
            "hash": "1.abc",
            "state": {"values": state},
            "blocks": [],
        },
    }
    return interactivity_body(payload)


def block_action(
    action_id: str,
    value: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str = "1.0",
    response_url: str = UNUSED_RESPONSE_URL,
) -> bytes:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "fake"},
        "user": {"id": user, "username": "tester", "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "token": "deprecated",
        "trigger_id": "2.3.def",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": ts, "text": "x"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
    }
    return interactivity_body(payload)


GOOD = {
    "date": "2026-11-20",
    "change": "Added PgBouncer",
    "reason": "Hit the connection limit at 95 users",
    "impact": "Headroom to 200 users",
    "cost_change": "-12.50",
    "tier": "2",
}
