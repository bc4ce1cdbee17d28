"""The idle trim: memory goes back to the allocator once after a burst, when the bot has
been quiet for a while; never while requests keep coming, never when nothing came."""

from __future__ import annotations

import platform
import sys

from bot.app.web import idle_trim
from bot.core.registry import Registry
from bot.jobs.trim import IdleTrim, limit_malloc_arenas, malloc_trim
from bot.slack.intake import Intake


class Bot:
    """A request counter, a clock and a trim that only counts, all in the test's hands."""

    def __init__(self) -> None:
        self.requests = 0
        self.now = 1000.0
        self.trimmed = 0

    def trim(self) -> None:
        self.trimmed += 1


def trimmer(bot: Bot, quiet: float = 360.0) -> IdleTrim:
    return IdleTrim(lambda: bot.requests, quiet=quiet, clock=lambda: bot.now, trim=bot.trim)


def test_trims_once_when_a_burst_is_over() -> None:
    bot = Bot()
    job = trimmer(bot)
    bot.requests += 5_000
    for _ in range(6):  # a minute apart: quiet for 5 of the 6 minutes asked
        bot.now += 60
        assert job.tick() is False
    bot.now += 60
    assert job.tick() is True
    assert bot.trimmed == 1
    for _ in range(30):  # still idle: nothing new to give back
        bot.now += 60
        job.tick()
    assert bot.trimmed == 1


def test_never_trims_while_busy() -> None:
    bot = Bot()
    job = trimmer(bot)
    for _ in range(120):  # two hours of a request every minute
        bot.requests += 1
        bot.now += 60
        assert job.tick() is False
    assert bot.trimmed == 0
    for _ in range(7):
        bot.now += 60
        job.tick()
    assert bot.trimmed == 1


def test_never_trims_a_bot_that_served_nothing() -> None:
    bot = Bot()
    job = trimmer(bot)
    for _ in range(100):
        bot.now += 60
        assert job.tick() is False
    assert bot.trimmed == 0


def test_served_app_waits_out_the_replay_memory() -> None:
    """The served app's trim waits for the replay keys' ttl, so the prune before it has
    dropped the burst's keys; each signed request counts as activity."""
    now = [0.0]
    intake = Intake(None, "secret", clock=lambda: now[0])  # type: ignore[arg-type]
    job = idle_trim(intake, Registry())
    assert job.quiet == intake.replays.ttl
    intake.replays.seen_or_add(1)
    intake.replays.seen_or_add(1)  # a replay is not new activity
    assert intake.replays.added == 1


def test_trims_where_glibc_is_and_skips_elsewhere() -> None:
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert malloc_trim() is on_glibc


def test_worker_threads_share_glibc_arenas_where_glibc_is() -> None:
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas() is on_glibc
