"""Stopping the served bot lets work started after an ack finish (bounded)."""

from __future__ import annotations

import asyncio

from bot.slack.listeners import errors
from tests.slack.conftest import BotFactory


async def test_stop_waits_for_work_started_after_the_ack(make_bot: BotFactory) -> None:
    bot = await make_bot()
    finished: list[str] = []

    async def share_post() -> None:
        await asyncio.sleep(0.2)
        finished.append("posted")

    errors.in_background(share_post(), {}, None)
    await bot.stop()
    assert finished == ["posted"]


async def test_draining_background_work_is_bounded() -> None:
    never = asyncio.Event()
    errors.in_background(never.wait(), {}, None)
    assert await errors.drain_background(timeout=0.05) == 1
    never.set()
    assert await errors.drain_background(timeout=1) == 0
