"""/metrics counts the Slack requests the intake refused, by reason, so a dashboard sees a
forger, a skewed clock or a replaying proxy without reading logs."""

from __future__ import annotations

import time

import aiohttp

from bot.app.serve import BotServer
from tests.fakeslack import FakeSlack, aim_at, signed_headers, slash_command_body
from tests.slack.conftest import SECRET
from tests.web.served import sample, scrape, served

COUNTER = "capacity_bot_slack_requests_rejected_total"


async def _post(
    http: aiohttp.ClientSession, bot: BotServer, body: bytes, headers: dict[str, str]
) -> int:
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    async with http.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


async def test_refused_slack_requests_are_counted_by_reason(slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as http, served(slack) as bot:
        before = await scrape(http, bot)
        body = aim_at(slash_command_body("tiers"), bot.deps.settings.api_url)
        good = signed_headers(SECRET, body)
        statuses = [
            await _post(http, bot, body, signed_headers("not-the-secret", body)),
            await _post(http, bot, body, {"Content-Type": "application/x-www-form-urlencoded"}),
            await _post(http, bot, body, signed_headers(SECRET, body, int(time.time()) - 600)),
            await _post(http, bot, body, good),  # accepted
            await _post(http, bot, body, good),  # the same bytes again
            await _post(http, bot, b"\xff\xfe{", signed_headers(SECRET, b"\xff\xfe{")),
        ]
        big = b"x" * (2 * 1024 * 1024)
        statuses.append(await _post(http, bot, big, signed_headers(SECRET, big)))
        after = await scrape(http, bot)
    assert statuses == [401, 401, 401, 200, 401, 400, 413]
    for reason in ("bad_signature", "stale", "replay", "undecodable", "too_large"):
        assert sample(before, COUNTER, reason=reason) == 0
    assert sample(after, COUNTER, reason="bad_signature") == 2
    assert sample(after, COUNTER, reason="stale") == 1
    assert sample(after, COUNTER, reason="replay") == 1
    assert sample(after, COUNTER, reason="undecodable") == 1
    assert sample(after, COUNTER, reason="too_large") == 1
