"""auth.test runs once, at start-up: a refused token or an unreachable Slack stops `serve`
with one line, and slash commands never wait for auth.test afterwards."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from bot.core.config import ConfigError, Settings
from bot.slack.app import verify_token
from tests.app.test_serve_process import spawn_serve
from tests.fakeslack import FakeSlack, slash_command_body
from tests.slack.conftest import BotFactory, post_signed, settings_for
from tests.support.serve_process import free_port


async def test_a_refused_token_makes_serve_exit_2_naming_it(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.fail_next("auth.test", error="invalid_auth")
    proc = await spawn_serve(slack, tmp_path, free_port())
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 2
    log = err.decode()
    assert "Traceback" not in log
    assert "SLACK_BOT_TOKEN was refused by Slack's auth.test (invalid_auth)" in log
    assert slack.bot_token not in log
    assert len(slack.calls_to("auth.test")) == 1


async def test_an_unreachable_slack_is_retried_a_bounded_number_of_times() -> None:
    settings = Settings(bot_token="xoxb-1", api_url=f"http://127.0.0.1:{free_port()}/api/")
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    with pytest.raises(ConfigError, match=r"^SLACK_API_URL: cannot reach .* after 3 tries"):
        await verify_token(settings, sleep=sleep)
    assert waits == [1.0, 2.0]


async def test_a_rate_limited_auth_test_at_start_up_is_retried(slack: FakeSlack) -> None:
    slack.fail_next("auth.test", 429, retry_after=3)
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    result = await verify_token(settings_for(slack), sleep=sleep)
    assert result["ok"] and waits == [3.0]


async def test_slash_commands_never_call_auth_test_after_start_up(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    assert len(slack.calls_to("auth.test")) == 1  # at start-up
    # Slack now rate-limits auth.test: a request that asked it would wait and apologise.
    slack.fail_next("auth.test", 429, retry_after=2, times=10)
    for _ in range(3):
        started = time.monotonic()
        status, body = await post_signed(http, bot, slash_command_body("tier 2"))
        assert status == 200 and "+337%" in body["text"]
        assert time.monotonic() - started < 1.0
    assert len(slack.calls_to("auth.test")) == 1
