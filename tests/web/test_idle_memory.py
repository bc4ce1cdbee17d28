"""A served bot gives memory back once a burst of requests is over: its idle job drops the
kept answers (bot/app/web.py: release) and trims the allocator, once, and never while
requests keep coming."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

import bot.app.web as web
from bot.jobs.trim import IdleTrim
from bot.slack.answers import Answers
from bot.slack.intake import Intake
from tests.fakeslack import FakeSlack
from tests.web.served import served, slash

QUIET = 0.3  # the served job waits the replay memory's ttl (6 min); the test, this


@pytest.fixture
def fast_idle(monkeypatch: pytest.MonkeyPatch) -> list[IdleTrim]:
    """The served app's idle job, ticking every 50 ms and quiet after QUIET seconds."""
    made: list[IdleTrim] = []
    real = web.idle_trim

    def quick(intake: Intake, registry: web.Registry) -> IdleTrim:
        job = real(intake, registry)
        job.quiet = QUIET
        made.append(job)
        return job

    monkeypatch.setattr(web, "PRUNE_EVERY", 0.05)
    monkeypatch.setattr(web, "idle_trim", quick)
    return made


async def test_the_idle_job_drops_the_kept_answers_after_a_burst(
    slack: FakeSlack, fast_idle: list[IdleTrim]
) -> None:
    async with aiohttp.ClientSession() as http, served(slack) as bot:
        [answers] = [drop.__self__ for drop in bot.deps.registry.idle if hasattr(drop, "__self__")]
        assert isinstance(answers, Answers)
        [job] = fast_idle
        for n in range(1, 6):
            answer = await slash(http, bot, f"cost {n * 1000}")
            assert answer["response_type"] == "ephemeral"
        kept, chars = answers.kept
        assert kept == 5 and chars > 0
        for _ in range(100):  # the burst is over: QUIET seconds later the job runs once
            if job.trims:
                break
            await asyncio.sleep(0.05)
        assert job.trims == 1 and answers.kept == (0, 0)
        # The bot answers the same afterwards, rendering again and keeping it again.
        again = await slash(http, bot, "cost 1000")
        assert again["response_type"] == "ephemeral" and answers.kept[0] == 1
        await asyncio.sleep(QUIET / 3)
        assert job.trims == 1  # not while requests come
