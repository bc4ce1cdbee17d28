"""The bot as a real aiohttp server on 127.0.0.1 against the fake Slack; every wait bounded."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.commands import Router, build_router
from bot.core.config import Settings
from bot.deps import build_deps
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, aim_at, signed_headers

__all__ = ["SECRET", "BotFactory", "boom_router", "post_signed", "settings_for", "signed_headers"]

SECRET = "test-signing-secret"
TIMEOUT = aiohttp.ClientTimeout(total=10)


def settings_for(slack: FakeSlack, *, socket: bool = False) -> Settings:
    return Settings(
        bot_token=slack.bot_token,
        signing_secret=SECRET,
        app_token=slack.app_token if socket else None,
        api_url=slack.api_url,
        alerts_channel="C0ALERTS",
    )


BotFactory = Callable[..., Awaitable[BotServer]]


@pytest.fixture
async def make_bot(slack: FakeSlack) -> AsyncIterator[BotFactory]:
    started: list[BotServer] = []

    async def make(
        *, socket: bool = False, router: Router | None = None, answer_in_ack: bool = True
    ) -> BotServer:
        deps = build_deps(settings_for(slack, socket=socket), store=Store(":memory:"))
        deps.clock = lambda: NOW
        server = BotServer(
            deps, host="127.0.0.1", port=0, answer_in_ack=answer_in_ack, router=router
        )
        await server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        await server.stop()
        server.deps.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        yield session


async def post_signed(
    http: aiohttp.ClientSession,
    bot: BotServer,
    body: bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, Any]:
    body = aim_at(body, bot.deps.settings.api_url)
    headers = signed_headers(secret, body, timestamp, content_type=content_type)
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    async with http.post(url, data=body, headers=headers) as resp:
        raw = await resp.text()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, raw


class _BoomRouter(Router):
    """Fails outside any command (the router catches a command's own exceptions), so the
    Slack app's global error handler is what answers."""

    def dispatch(self, text: str, ctx: Any) -> Any:
        if text.startswith("boom"):
            raise RuntimeError("kaboom: internal detail xoxb-should-not-leak")
        return super().dispatch(text, ctx)


def boom_router() -> Router:
    """The real router, except that `boom` raises: the seam for error-handler tests."""
    router = _BoomRouter()
    for command in build_router().commands:
        router.register(command)
    return router
