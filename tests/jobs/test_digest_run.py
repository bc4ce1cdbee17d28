from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.digest.chart import PNG_MAGIC
from bot.digest.data import DigestInput
from bot.jobs.digest_run import JOB_ID, Posted, add_digest_job, catch_up, run_digest
from bot.render.text import render_text
from bot.reply import Reply
from store import Store
from tests.digest.conftest import NOW

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class FakeSlack:
    posts: list[tuple[Reply, str | None]] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    fail_upload: bool = False
    fail_post: int = 0

    async def upload(self, png: bytes, period: str) -> str:
        if self.fail_upload:
            raise ConnectionError("files.upload timed out")
        self.uploads.append(png)
        return f"F-{period}"

    async def post(self, reply: Reply, chart: str | None) -> Posted:
        if self.fail_post:
            self.fail_post -= 1
            raise ConnectionError("chat.postMessage 500")
        self.posts.append((reply, chart))
        return Posted("C-ALERTS", f"{len(self.posts)}.000")


async def _run(store: Store, slack: FakeSlack, seeded: DigestInput, now: datetime = NOW) -> Any:
    return await run_digest(
        now,
        zone=UTC,
        claims=store.digests,
        build=lambda _now: seeded,
        post=slack.post,
        upload_chart=slack.upload,
        fire_time=NOW,  # the slot: a later start of the same slot is the same digest
    )


SLOT = "2026-11-27T10:00+00:00"


async def test_digest_posts_with_its_chart_and_is_recorded(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack()
    result = await _run(store, slack, seeded)
    assert result.status == "posted" and not result.chart_missing
    assert slack.uploads[0].startswith(PNG_MAGIC)
    assert slack.posts[0][1] == f"F-{SLOT}"
    assert "Chart missing" not in render_text(slack.posts[0][0])
    assert store.digests.last_posted() == SLOT


async def test_upload_failure_still_posts_with_chart_missing_note(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack(fail_upload=True)
    result = await _run(store, slack, seeded)
    assert result.status == "posted" and result.chart_missing
    (reply, chart) = slack.posts[0]
    assert chart is None
    assert any(n.startswith("Chart missing") for n in reply.notes)
    assert store.digests.last_posted() == SLOT


async def test_chart_that_cannot_be_drawn_still_posts(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack()

    def no_matplotlib(_inp: DigestInput) -> bytes:
        raise ImportError("No module named 'matplotlib'")

    result = await run_digest(
        NOW,
        zone=UTC,
        claims=store.digests,
        build=lambda _now: seeded,
        post=slack.post,
        upload_chart=slack.upload,
        draw=no_matplotlib,
    )
    assert result.status == "posted" and result.chart_missing and not slack.uploads


async def test_second_run_of_the_slot_does_not_post(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack()
    await _run(store, slack, seeded)
    again = await _run(store, slack, seeded, NOW + timedelta(hours=1))
    assert again.status == "already_claimed"
    assert len(slack.posts) == 1


async def test_concurrent_runs_post_once(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack()
    results = await asyncio.gather(*(_run(store, slack, seeded) for _ in range(5)))
    assert sorted(r.status for r in results) == ["already_claimed"] * 4 + ["posted"]
    assert len(slack.posts) == 1


async def test_failed_post_releases_the_claim_so_a_retry_posts(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack(fail_post=1)
    first = await _run(store, slack, seeded)
    assert first.status == "failed" and "ConnectionError" in (first.error or "")
    assert store.digests.last_posted() is None
    retry = await _run(store, slack, seeded, NOW + timedelta(minutes=5))
    assert retry.status == "posted" and len(slack.posts) == 1


async def test_slot_follows_the_scheduled_time_not_the_late_start(seeded: DigestInput) -> None:
    store, slack = Store(), FakeSlack()
    sunday_late = datetime(2026, 11, 29, 23, 59, tzinfo=UTC)
    result = await run_digest(
        sunday_late + timedelta(minutes=10),
        zone=UTC,
        claims=store.digests,
        build=lambda _now: seeded,
        post=slack.post,
        fire_time=sunday_late,
    )
    assert result.period == "2026-11-29T23:59+00:00"
    assert result.chart_missing  # no uploader given


async def test_catch_up_runs_a_missed_digest_within_grace_only() -> None:
    monday_9 = datetime(2026, 11, 30, 9, tzinfo=BERLIN)
    ran: list[datetime] = []

    async def func(fire: datetime) -> None:
        ran.append(fire)

    last = "2026-11-23T09:00+01:00"  # the week before's slot
    assert await catch_up("0 9 * * mon", BERLIN, last, monday_9 + timedelta(hours=3), func)
    assert ran == [monday_9]
    skipped = await catch_up("0 9 * * mon", BERLIN, last, monday_9 + timedelta(hours=13), func)
    assert skipped is None and ran == [monday_9]


async def test_real_asyncio_scheduler_fires_the_job_once() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    fired: list[datetime] = []
    done = asyncio.Event()
    clock_now = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)

    async def func(fire: datetime) -> None:
        fired.append(fire)
        done.set()

    job = add_digest_job(
        scheduler, "0 9 * * mon", BERLIN, func, timedelta(hours=12), clock=lambda: clock_now
    )
    assert job.id == JOB_ID
    assert job.coalesce is True and job.misfire_grace_time == 12 * 3600
    assert str(job.trigger.timezone) == "Europe/Berlin"
    scheduler.start()
    try:
        # The cron's next slot is days away: bring it to a second from now to see it fire.
        job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=1))
        await asyncio.wait_for(done.wait(), timeout=10)
        await asyncio.sleep(0.3)
    finally:
        scheduler.shutdown(wait=False)
    # Called once, with the slot it belongs to (09:00 Berlin = 08:00 UTC), not the clock.
    assert fired == [datetime(2026, 11, 30, 8, 0, tzinfo=UTC)]
    # After firing it goes back on the cron: next Monday 09:00 Berlin.
    assert job.next_run_time is None or job.next_run_time.astimezone(BERLIN).hour == 9


@pytest.mark.parametrize("cron", ["0 9 * * mon", "30 7 * * 1-5"])
def test_added_job_uses_the_cron_in_the_zone(cron: str) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def func(fire: datetime) -> None:
        return None

    job = add_digest_job(scheduler, cron, BERLIN, func)
    assert job.max_instances == 1


async def test_a_slot_posted_before_its_record_is_recorded_not_posted_again(
    seeded: DigestInput,
) -> None:
    """The holder died between posting (the outbox has the digest) and recording it: the
    claim taken again finds the post and records it."""
    store, slack = Store(), FakeSlack()
    result = await run_digest(
        NOW,
        zone=UTC,
        claims=store.digests,
        build=lambda _now: seeded,
        post=slack.post,
        posted_before=lambda _period: Posted("C1", "1700000000.000100"),
    )
    assert result.status == "posted" and not slack.posts
    record = store.digests.get(result.period)
    assert record is not None and record.ts == "1700000000.000100"
