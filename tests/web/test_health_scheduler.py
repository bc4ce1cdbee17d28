"""/healthz is a 503 when the scheduler has stopped (alerts and the digest would stop with
it): the other of the two checks an orchestrator may restart the bot for."""

from __future__ import annotations

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from tests.fakeslack import FakeSlack
from tests.web.served import served


async def test_a_scheduler_that_stopped_is_a_503() -> None:
    async with (
        FakeSlack() as slack,
        served(slack) as bot,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
    ):
        url = f"http://127.0.0.1:{bot.port}/healthz"
        async with http.get(url) as resp:
            assert resp.status == 200 and (await resp.json())["scheduler"] is True
        # The served app's own scheduler, as its registered check sees it.
        check = bot.deps.registry.checks["scheduler"]
        cells = [c.cell_contents for c in check.__closure__ or ()]
        scheduler = next(c for c in cells if isinstance(c, AsyncIOScheduler))
        scheduler.shutdown(wait=False)
        async with http.get(url) as resp:
            body = await resp.json()
            status = resp.status
    assert status == 503 and body["status"] == "unhealthy" and body["scheduler"] is False
    assert body["store"] is True
