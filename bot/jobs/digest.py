"""The weekly digest in the running bot: scheduled, claimed once, delivered via the outbox."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.offload import in_thread, runner
from bot.core.owner import gone, this_process
from bot.deps import Deps
from bot.digest.gather import gather_digest_input
from bot.digest.schedule import previous_fire_time, slot_key
from bot.jobs.digest_run import DigestResult, Posted, add_digest_job, catch_up, run_digest
from bot.notify.compose import digest_payload
from bot.reply import Reply

__all__ = ["GRACE", "RETRY_EVERY", "Uploader", "start_digest"]

log = logging.getLogger(__name__)

GRACE = timedelta(hours=12)
# How often a slot still unposted within its grace is tried again.
RETRY_EVERY = timedelta(minutes=5)


class Uploader(Protocol):
    async def upload(
        self, channel: str, content: bytes, filename: str, title: str
    ) -> str | None: ...


def start_digest(
    deps: Deps, uploader: Uploader | None, scheduler: Any
) -> Callable[[], Awaitable[datetime | None]]:
    """Add the digest's cron job; returns the start-up catch-up for a digest missed while down.

    Each cron slot is claimed in the database first (one digest a slot, whatever
    restarts or second processes do) and covers the time since the slot before; the
    message itself goes through the outbox under the key `digest:SLOT`, so delivery
    retries and restarts cannot post it twice either. Every store call runs on a worker
    thread (`_Book`): a claim waiting on another process's write lock holds up only the
    digest.
    """
    settings = deps.settings
    zone = settings.zone
    channel = settings.alerts_channel or ""
    book = _Book(deps, channel)

    async def run(fire_time: datetime) -> DigestResult:
        period = slot_key(fire_time, zone)
        since = previous_fire_time(settings.digest_cron, zone, fire_time)

        async def post(reply: Reply, chart_ref: str | None) -> Posted:
            now = deps.clock()
            payload = digest_payload(reply, channel, now)
            return await book.queue(period, payload.model_dump_json(), now)

        async def upload(png: bytes, period: str) -> str | None:
            assert uploader is not None
            stamp = fire_time.astimezone(zone).strftime("%Y-%m-%d-%H%M")
            return await uploader.upload(
                channel, png, f"capacity-digest-{stamp}.png", f"Capacity digest {period}"
            )

        result = await run_digest(
            deps.clock(),
            zone=zone,
            claims=book,
            build=lambda now: in_thread(
                gather_digest_input,
                deps.plan,
                deps.store,
                now,
                zone,
                since,
                fire_time - since if since else None,
            ),
            post=post,
            upload_chart=upload if uploader is not None else None,
            fire_time=fire_time,
            posted_before=book.queued_before,
        )
        log.info("digest %s: %s", result.period, result.status)
        return result

    add_digest_job(scheduler, settings.digest_cron, zone, run, GRACE, clock=deps.clock)

    async def missed() -> datetime | None:
        last = await book.last_posted()
        return await catch_up(settings.digest_cron, zone, last, deps.clock(), run, GRACE)

    async def retry() -> None:
        # The next tick for a slot whose run failed or whose holder died (another host's
        # claim, once its lease ran out): the same catch-up, never a second post.
        try:
            await missed()
        except Exception:
            log.exception("digest retry failed")

    scheduler.add_job(
        retry,
        "interval",
        seconds=RETRY_EVERY.total_seconds(),
        id="digest.retry",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    return missed


class _Book:
    """The digest's store calls, each on a worker thread: the slots' claims (held in this
    process's name: a claim whose holder died, a SIGKILL mid-chart, is taken again at once
    instead of after the lease), their release and record, and the digest's outbox row
    (`digest:SLOT`)."""

    def __init__(self, deps: Deps, channel: str) -> None:
        self._deps = deps
        self._channel = channel
        # On worker threads (in place for an in-memory database), as the outbox's Ledger.
        self._run = runner(deps.store.in_memory)

    async def claim(self, period: str, now: datetime) -> bool:
        digests = self._deps.store.digests
        return await self._run(digests.claim, period, now, owner=this_process(), gone=gone)

    async def release(self, period: str) -> None:
        await self._run(self._deps.store.digests.release, period)

    async def mark_posted(self, period: str, channel: str, ts: str, now: datetime) -> None:
        await self._run(self._deps.store.digests.mark_posted, period, channel, ts, now)

    async def last_posted(self) -> str | None:
        return await self._run(self._deps.store.digests.last_posted)

    async def queue(self, period: str, payload_json: str, now: datetime) -> Posted:
        """The digest into the outbox (its worker posts it); where it will go."""
        outbox = self._deps.store.outbox
        await self._run(outbox.enqueue, f"digest:{period}", "digest", payload_json, now)
        return Posted(self._channel, "outbox")

    async def queued_before(self, period: str) -> Posted | None:
        """The slot's digest when it is in the outbox already (a claim taken again after
        its holder died between queueing it and recording the post)."""
        queued = await self._run(self._deps.store.outbox.has, f"digest:{period}")
        return Posted(self._channel, "outbox") if queued else None
