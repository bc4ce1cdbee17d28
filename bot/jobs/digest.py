"""The weekly digest in the running bot: scheduled, claimed once, delivered via the outbox."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.commands.digest import gather_digest_input
from bot.core.offload import in_thread
from bot.deps import Deps
from bot.digest.schedule import previous_fire_time, slot_key
from bot.jobs.digest_run import DigestResult, Posted, add_digest_job, catch_up, run_digest
from bot.notify.compose import digest_payload
from bot.reply import Reply

__all__ = ["GRACE", "Uploader", "start_digest"]

log = logging.getLogger(__name__)

GRACE = timedelta(hours=12)


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
    retries and restarts cannot post it twice either.
    """
    settings = deps.settings
    zone = settings.zone
    channel = settings.alerts_channel or ""

    async def run(fire_time: datetime) -> DigestResult:
        period = slot_key(fire_time, zone)
        since = previous_fire_time(settings.digest_cron, zone, fire_time)

        def post(reply: Reply, chart_ref: str | None) -> Posted:
            now = deps.clock()
            payload = digest_payload(reply, channel, now)
            deps.store.outbox.enqueue(f"digest:{period}", "digest", payload.model_dump_json(), now)
            return Posted(channel, "outbox")

        async def upload(png: bytes, period: str) -> str | None:
            assert uploader is not None
            stamp = fire_time.astimezone(zone).strftime("%Y-%m-%d-%H%M")
            return await uploader.upload(
                channel, png, f"capacity-digest-{stamp}.png", f"Capacity digest {period}"
            )

        result = await run_digest(
            deps.clock(),
            zone=zone,
            claims=deps.store.digests,
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
        )
        log.info("digest %s: %s", result.period, result.status)
        return result

    add_digest_job(scheduler, settings.digest_cron, zone, run, GRACE, clock=deps.clock)

    async def missed() -> datetime | None:
        last = deps.store.digests.last_posted()
        return await catch_up(settings.digest_cron, zone, last, deps.clock(), run, GRACE)

    return missed
