"""A served bot (BotServer on 127.0.0.1) against a given fake Slack, stopped afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app.serve import BotServer
from bot.core.config import Settings
from bot.deps import build_deps
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, aim_at, signed_headers, slash_command_body
from tests.slack.conftest import SECRET, settings_for

__all__ = ["sample", "scrape", "served", "slash"]


@contextlib.asynccontextmanager
async def served(
    slack: FakeSlack, *, socket: bool = False, store: Store | None = None, **settings: Any
) -> AsyncIterator[BotServer]:
    values = {**settings_for(slack, socket=socket).model_dump(), **settings}
    deps = build_deps(Settings(**values), store=store or Store(":memory:"))
    deps.clock = lambda: NOW
    server = BotServer(deps, host="127.0.0.1", port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        deps.close()


async def slash(http: aiohttp.ClientSession, bot: BotServer, text: str) -> dict[str, Any]:
    body = aim_at(slash_command_body(text), bot.deps.settings.api_url)
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    async with http.post(url, data=body, headers=signed_headers(SECRET, body)) as resp:
        assert resp.status == 200
        answer: dict[str, Any] = await resp.json()
        return answer


async def scrape(http: aiohttp.ClientSession, bot: BotServer) -> str:
    async with http.get(f"http://127.0.0.1:{bot.port}/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return await resp.text()


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in a scrape, None when it is not there."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None
