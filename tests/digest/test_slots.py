"""A digest per cron slot: daily or hourly crons post once a slot, covering the time since
the slot before; restarts and a second process on the same database still post once.
The scheduled job is fired as APScheduler would, with an injected clock, into the fake
Slack through the outbox."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.jobs.digest import start_digest
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import Clock

ALERTS = "C0ALERTS"
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Scheduler:
    """Keeps the job APScheduler would run; the test fires it at chosen times."""

    def __init__(self) -> None:
        self.fire: Callable[[], Awaitable[None]] | None = None

    def add_job(self, func: Callable[[], Awaitable[None]], *args: Any, **kwargs: Any) -> None:
        self.fire = func


class Process:
    """One bot process on the database at `path`: its scheduled digest, catch-up, worker."""

    def __init__(self, slack: FakeSlack, clock: Clock, path: Path, cron: str) -> None:
        settings = Settings(
            bot_token=slack.bot_token,
            api_url=slack.api_url,
            alerts_channel=ALERTS,
            db_path=path,
            digest_cron=cron,
        )
        self.deps: Deps = build_deps(settings, clock=clock)
        poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
        self.scheduler = Scheduler()
        self.catch_up = start_digest(self.deps, None, self.scheduler)
        self.worker = Worker(self.deps.store, poster, clock)

    async def scheduled(self) -> None:
        assert self.scheduler.fire is not None
        await self.scheduler.fire()
        await self.worker.run_once()


def digests(slack: FakeSlack) -> list[str]:
    texts = [html.unescape(m.text or "") for m in slack.messages_in(ALERTS)]
    return [t for t in texts if "capacity digest" in t.lower()]


async def test_a_daily_cron_posts_a_digest_every_day(slack: FakeSlack, tmp_path: Path) -> None:
    clock = Clock(MONDAY_9)
    bot = Process(slack, clock, tmp_path / "capacity.db", "0 9 * * *")
    for day in range(7):
        clock.now = MONDAY_9 + timedelta(days=day, seconds=2)
        await bot.scheduled()
    posted = digests(slack)
    assert len(posted) == 7
    assert posted[0].startswith("Daily capacity digest, Mon 30 Nov 2026")
    assert "No alerts fired or resolved since Sun 29 Nov 09:00 UTC." in posted[0]
    assert "From Sun 29 Nov 09:00 UTC to Mon 30 Nov 09:00 UTC" in posted[0]
    assert posted[6].startswith("Daily capacity digest, Sun 06 Dec 2026")


async def test_an_hourly_digest_covers_the_hour_since_the_slot_before(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock(MONDAY_9)
    bot = Process(slack, clock, tmp_path / "capacity.db", "0 * * * *")
    store = bot.deps.store
    # An alert that fired and resolved yesterday, and one in the last hour.
    for rule, fired in (
        ("threshold.cpu_pct.0", MONDAY_9 - timedelta(days=1)),
        ("threshold.error_rate_pct.0", MONDAY_9 + timedelta(minutes=20)),
    ):
        store.alerts.record_messages([(rule, fired.isoformat())], 1, ALERTS, "1.1")
        store.alerts.mark_resolved(rule, fired.isoformat(), fired + timedelta(minutes=30))
    for hour in (1, 2):
        clock.now = MONDAY_9 + timedelta(hours=hour, seconds=1)
        await bot.scheduled()
    first, second = digests(slack)
    assert first.startswith("Hourly capacity digest, Mon 30 Nov 10:00 UTC")
    assert "Alerts since 09:00 UTC" in first and "Error rate" in first and "CPU" not in first
    assert "No alerts fired or resolved since 10:00 UTC." in second


async def test_restarts_and_two_processes_post_one_digest_a_slot(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock(MONDAY_9 + timedelta(seconds=1))
    path = tmp_path / "capacity.db"
    one = Process(slack, clock, path, "0 9 * * *")
    two = Process(slack, clock, path, "0 9 * * *")
    await asyncio.gather(one.scheduled(), two.scheduled(), one.catch_up(), two.catch_up())
    await one.worker.run_once()
    assert len(digests(slack)) == 1
    # A restart an hour later: the catch-up finds the slot posted.
    clock.advance(hours=1)
    again = Process(slack, clock, path, "0 9 * * *")
    assert await again.catch_up() is None
    # The next day's slot is a new digest, whichever process gets it.
    clock.now = MONDAY_9 + timedelta(days=1, seconds=1)
    await asyncio.gather(one.scheduled(), again.scheduled())
    assert len(digests(slack)) == 2
    for process in (one, two, again):
        process.deps.close()


async def test_a_database_whose_last_digest_is_keyed_by_week_is_read(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """tests/data/outbox-before-routes.db: main at 951759f posted `2026-W48` at 10:07 on
    Fri 27 Nov; its queued `digest:2026-W48` row is still delivered once."""
    import shutil

    path = tmp_path / "capacity.db"
    shutil.copy(Path(__file__).parents[1] / "data" / "outbox-before-routes.db", path)
    clock = Clock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    bot = Process(slack, clock, path, "0 9 * * fri")
    # Friday 09:00's slot is in week 48, whose digest was posted: no catch-up.
    assert await bot.catch_up() is None
    await bot.worker.run_once()
    old = [html.unescape(m.text or "") for m in slack.messages_in("C_ALERTS")]
    assert len(old) == 2 and "old digest" in old[1]  # queued before the upgrade: sent once
    assert digests(slack) == []
    clock.now = datetime(2026, 12, 4, 9, 0, 1, tzinfo=UTC)  # the next Friday's slot
    await bot.scheduled()
    (posted,) = digests(slack)
    assert "Week Fri 27 Nov 2026 to Fri 04 Dec 2026" in posted
    bot.deps.close()
