"""Running the digest: claim the period, build, chart, post, record. Every effect injected.

The integrator passes the store (`claims`), a `build` that gathers the week's data, a
`post` (the outbox or the Slack client) and an `upload_chart`; tests pass fakes.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, Protocol, TypeAlias, TypeVar, cast

from bot.core.crontab import cron_trigger
from bot.core.offload import in_child_process
from bot.digest.build import build_digest
from bot.digest.chart import draw_digest_chart
from bot.digest.data import DigestInput
from bot.digest.schedule import DEFAULT_GRACE, last_fire_time, missed_run, slot_key
from bot.domain.money import in_currency
from bot.reply import Reply

__all__ = [
    "JOB_ID",
    "DigestClaims",
    "DigestResult",
    "Posted",
    "add_digest_job",
    "catch_up",
    "run_digest",
]

log = logging.getLogger(__name__)
JOB_ID = "weekly-digest"
T = TypeVar("T")
# Sync or async callables are both accepted: the store is sync, Slack calls are async.
MaybeAwaitable: TypeAlias = T | Awaitable[T]


class DigestClaims(Protocol):
    """The exactly-once gate; `store.digests.DigestStore` is one (sync), the served bot's
    runs it on a worker thread (async): either is awaited here when it must be."""

    def claim(self, period: str, now: datetime) -> MaybeAwaitable[bool]: ...
    def release(self, period: str) -> MaybeAwaitable[None]: ...
    def mark_posted(
        self, period: str, channel: str, ts: str, now: datetime
    ) -> MaybeAwaitable[None]: ...


@dataclass(frozen=True)
class Posted:
    """Where the digest went, so it can be found (and edited) later."""

    channel: str
    ts: str


@dataclass(frozen=True)
class DigestResult:
    period: str
    status: Literal["posted", "already_claimed", "failed"]
    posted: Posted | None = None
    chart_missing: bool = False
    error: str | None = None
    reply: Reply | None = None


async def _resolve(value: MaybeAwaitable[T]) -> T:
    if inspect.isawaitable(value):
        return cast(T, await value)
    return cast(T, value)


async def run_digest(
    now: datetime,
    *,
    zone: tzinfo,
    claims: DigestClaims,
    build: Callable[[datetime], MaybeAwaitable[DigestInput]],
    post: Callable[[Reply, str | None], MaybeAwaitable[Posted]],
    upload_chart: Callable[[bytes, str], MaybeAwaitable[str | None]] | None = None,
    fire_time: datetime | None = None,
    draw: Callable[[DigestInput], bytes] | None = None,
    posted_before: Callable[[str], MaybeAwaitable[Posted | None]] | None = None,
) -> DigestResult:
    """Post the digest of `fire_time`'s slot (default `now`) unless someone already has.

    Order: claim -> (posted before? record it) -> gather -> chart (draw + upload; any
    failure only adds the "chart missing" note) -> post -> mark posted. A failure to gather
    or post releases the claim so the next attempt can retry; nothing is recorded as posted
    that was not.

    The chart is drawn in a child process (`draw_digest_chart`: matplotlib's import and
    rendering take ~0.5 s of CPU and ~50 MB that a long-running bot should not keep), or
    by `draw` on a worker thread when one is given.
    """
    period = slot_key(fire_time or now, zone)
    if not await _resolve(claims.claim(period, now)):
        log.info("digest %s already claimed; not posting again", period)
        return DigestResult(period, "already_claimed")
    # A claim taken again after its holder died between posting and recording the post:
    # the digest went out (`posted_before` finds it), so it is recorded, not posted twice.
    earlier = await _resolve(posted_before(period)) if posted_before is not None else None
    if earlier is not None:
        log.info("digest %s was posted before its record; recording it", period)
        await _resolve(claims.mark_posted(period, earlier.channel, earlier.ts, now))
        return DigestResult(period, "posted", earlier)
    try:
        inp = await _resolve(build(now))
        chart_ref: str | None = None
        chart_missing = upload_chart is None
        if upload_chart is not None:
            try:
                png = await (
                    in_child_process(draw_digest_chart, inp)
                    if draw is None
                    else asyncio.to_thread(draw, inp)
                )
                chart_ref = await _resolve(upload_chart(png, period))
            except Exception as exc:  # the digest matters more than its picture
                log.warning("digest %s: chart failed (%s); posting without it", period, exc)
                chart_missing = True
        with in_currency(inp.plan.currency):
            reply = build_digest(replace(inp, chart_missing=chart_missing))
        posted = await _resolve(post(reply, chart_ref))
    except Exception as exc:
        log.exception("digest %s failed; releasing the claim for a retry", period)
        await _resolve(claims.release(period))
        return DigestResult(period, "failed", error=f"{type(exc).__name__}: {exc}")
    await _resolve(claims.mark_posted(period, posted.channel, posted.ts, now))
    return DigestResult(period, "posted", posted, chart_missing, reply=reply)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def add_digest_job(
    scheduler: Any,
    cron: str,
    zone: tzinfo,
    func: Callable[[datetime], Awaitable[object]],
    grace: timedelta = DEFAULT_GRACE,
    *,
    clock: Callable[[], datetime] = _utc_now,
) -> Any:
    """Schedule `func(fire_time)` on an APScheduler 3 `AsyncIOScheduler` at `cron` in `zone`.

    `misfire_grace_time` lets a run delayed inside this process (a blocked loop) still
    happen within `grace`; `coalesce` turns several missed runs into one. Runs missed
    while the process was down are `catch_up`'s job at start-up.
    """

    async def fire() -> None:
        now = clock()
        await func(last_fire_time(cron, zone, now) or now)

    return scheduler.add_job(
        fire,
        cron_trigger(cron, zone),
        id=JOB_ID,
        name="weekly capacity digest",
        misfire_grace_time=max(1, int(grace.total_seconds())),
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )


async def catch_up(
    cron: str,
    zone: tzinfo,
    last_posted_period: str | None,
    now: datetime,
    func: Callable[[datetime], Awaitable[object]],
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """At start-up: run the digest missed while down if still within `grace`.

    Returns the fire time it ran for, or None. Safe to race with the scheduled job:
    the claim lets only one of them post.
    """
    fire = missed_run(cron, zone, last_posted_period, now, grace)
    if fire is not None:
        await func(fire)
    return fire
