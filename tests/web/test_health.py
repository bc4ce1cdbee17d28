"""/healthz: what is outside the process is reported from a cache, as degraded with a 200;
a probe never calls Slack; only the store or the scheduler being down is a 503."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.core.config import Settings
from bot.deps import build_deps
from bot.doctor import Check
from bot.slack.manifest import BOT_SCOPES
from bot.web.health import HealthCache
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack
from tests.web.served import served

CHANNEL = "C0ALERTS"
TIMEOUT = aiohttp.ClientTimeout(total=10)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        yield session


async def healthz(http: aiohttp.ClientSession, bot: BotServer) -> tuple[int, dict[str, Any]]:
    async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
        return resp.status, await resp.json()


async def checked(http: aiohttp.ClientSession, bot: BotServer) -> tuple[int, dict[str, Any]]:
    """/healthz once the start-up refresh of the outside checks has landed (bounded wait)."""
    health = bot.hooks.health
    assert health is not None
    for _ in range(500):
        if health.checked_at is not None:
            break
        await asyncio.sleep(0.01)
    return await healthz(http, bot)


async def test_a_healthy_bot_is_ok_and_probes_never_call_slack(
    http: aiohttp.ClientSession,
) -> None:
    async with (
        FakeSlack(channels={CHANNEL: "alerts"}, scopes=BOT_SCOPES) as slack,
        served(slack) as bot,
    ):
        status, body = await checked(http, bot)
        assert status == 200 and body["status"] == "ok", body
        assert body["outside"]["ok"] is True and body["outside"]["checked_at"]
        before = len(slack.calls)
        for _ in range(20):
            status, _ = await healthz(http, bot)
            assert status == 200
        assert len(slack.calls) == before
        # Serve's start-up auth.test was reused: the token was checked once, at start.
        assert len(slack.calls_to("auth.test")) == 1


async def test_a_bot_not_in_the_alerts_channel_is_degraded_not_down(
    http: aiohttp.ClientSession,
) -> None:
    async with (
        FakeSlack(channels={CHANNEL: "alerts"}, scopes=BOT_SCOPES, not_member={CHANNEL}) as slack,
        served(slack) as bot,
    ):
        status, body = await checked(http, bot)
    assert status == 200
    assert body["status"] == "degraded" and "outside" in body["degraded"]
    assert "/invite @capacity-bot" in body["outside"]["failing"]["alerts channel"]
    assert body["store"] is True and body["scheduler"] is True


async def test_a_missing_scope_is_degraded(http: aiohttp.ClientSession) -> None:
    granted = [s for s in BOT_SCOPES if s != "chat:write"]
    async with (
        FakeSlack(channels={CHANNEL: "alerts"}, scopes=granted) as slack,
        served(slack) as bot,
    ):
        status, body = await checked(http, bot)
    assert status == 200 and body["status"] == "degraded"
    assert "chat:write" in body["outside"]["failing"]["scopes"]


async def test_slack_going_away_after_start_is_degraded_on_the_next_refresh(
    http: aiohttp.ClientSession,
) -> None:
    async with (
        FakeSlack(channels={CHANNEL: "alerts"}, scopes=BOT_SCOPES) as slack,
        served(slack) as bot,
    ):
        await checked(http, bot)
        slack.fail_next("auth.test", 503, times=5)
        assert bot.hooks.health is not None
        await bot.hooks.health.refresh()  # what the 5-minute job runs
        status, body = await healthz(http, bot)
    assert status == 200 and body["status"] == "degraded"
    assert "SLACK_API_URL: cannot reach" in body["outside"]["failing"]["token"]


async def test_a_store_that_is_down_is_a_503(http: aiohttp.ClientSession) -> None:
    async with FakeSlack() as slack, served(slack) as bot:
        bot.deps.store.db.conn.close()
        status, body = await healthz(http, bot)
    assert status == 503 and body["status"] == "unhealthy" and body["store"] is False


async def test_a_failing_check_is_logged_once_and_its_recovery_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    results = [
        [Check("alerts channel", False, "invite the bot")],
        [Check("alerts channel", False, "invite the bot")],
        [Check("alerts channel", True, "member")],
    ]
    seen: list[object] = []

    async def checks(auth: object) -> list[Check]:
        seen.append(auth)
        return results[len(seen) - 1]

    cache = HealthCache(build_deps(Settings(), store=Store(), clock=lambda: NOW), checks)
    cache.auth = "start-up auth.test"
    with caplog.at_level("INFO", logger="bot.web.health"):
        for _ in results:
            await cache.refresh()
    # serve's start-up answer is used once, by the first refresh only.
    assert seen == ["start-up auth.test", None, None]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "health: alerts channel: invite the bot",
        "health: alerts channel: ok again",
    ]
    assert cache.detail() == {"ok": True, "checked_at": NOW.isoformat(), "failing": {}}
