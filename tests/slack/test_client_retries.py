"""The Web API client retries rate limits (honouring Retry-After) and server errors, bounded."""

from __future__ import annotations

import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.app import build_client
from tests.fakeslack import FakeSlack, event_body
from tests.slack.conftest import BotFactory, post_signed, settings_for


async def test_429_is_retried_after_retry_after(slack: FakeSlack) -> None:
    client = build_client(settings_for(slack))
    slack.fail_next("chat.postMessage", 429, retry_after=1)
    started = time.monotonic()
    result = await client.chat_postMessage(channel="C1", text="hi")
    assert result["ok"]
    assert time.monotonic() - started >= 0.9
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_retries_are_bounded(slack: FakeSlack) -> None:
    client = build_client(settings_for(slack))
    slack.fail_next("chat.postMessage", 500, times=10)
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="hi")
    assert len(slack.calls_to("chat.postMessage")) == 3


async def test_home_tab_survives_a_500_from_slack(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    slack.fail_next("views.publish", 500)
    event = {"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"}
    status, _ = await post_signed(http, bot, event_body(event), content_type="application/json")
    assert status == 200
    await slack.wait_for(lambda: slack.home_views.get("U7"), timeout=5)
    assert [c.status for c in slack.calls_to("views.publish")] == [500, 200]
