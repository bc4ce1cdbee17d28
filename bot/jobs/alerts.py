"""Scheduled work: a tick of the notification pipeline, the outbox worker's passes, the
rollup of samples, the Prometheus pull. Only when: what each does is elsewhere.

The app calls `start_jobs(deps, client, scheduler)` at start-up (after `scheduler.start()`
or before, either works) and `scheduler.shutdown()` at shutdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.offload import in_thread
from bot.deps import Deps
from bot.jobs.opencost import SOURCE as OPENCOST_SOURCE
from bot.jobs.opencost import pull_opencost
from bot.jobs.prometheus import SOURCE, poll_prometheus
from bot.monitor import Evaluation
from bot.notify.deliver import Poster, Worker
from bot.notify.pipeline import REPEAT_INTERVAL, Tick, run_tick
from store.vitals import STORE_ERRORS, describe_error

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = [
    "REPEAT_INTERVAL",
    "evaluate_once",
    "metrics_health",
    "rollup_once",
    "start_jobs",
]

log = logging.getLogger(__name__)


def evaluate_once(
    deps: Deps, now: datetime, *, repeat_interval: timedelta = REPEAT_INTERVAL
) -> Evaluation:
    """One tick of the notification pipeline (bot/notify/pipeline.py) over the live plan."""
    tick = Tick(deps.store, deps.plan, deps.settings, now, repeat_interval)
    return run_tick(tick)


def rollup_once(
    deps: Deps,
    now: datetime,
    retention_days: int = 30,
    pause: Callable[[float], None] = time.sleep,
) -> tuple[int, int]:
    """Blocking, seconds after a backfill: run it on a worker thread. It pauses between its
    short transactions so that writers on other threads get the lock meanwhile."""
    return deps.store.metrics.rollup_and_prune(now, timedelta(days=retention_days), pause=pause)


def metrics_health(deps: Deps) -> dict[str, Any]:
    """Detail for `/healthz`: outbox backlog and the last Prometheus pull (never raises).

    /healthz is unauthenticated, so a source says only whether it works and since when
    (`last_ok_at`), never its error text (that is in the log and in `status`).
    """
    try:
        counts = deps.store.outbox.counts()
        sources = {
            s.name: {
                "ok": s.ok,
                "checked_at": s.checked_at.isoformat(),
                "last_ok_at": s.last_ok_at.isoformat() if s.last_ok_at else None,
                # Our own words about plan metrics (never the source's error text).
                **({"skipped": s.skipped} if s.skipped else {}),
            }
            for s in deps.store.metrics.sources()
        }
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {
        "ok": all(v["ok"] for v in sources.values()),
        "outbox": counts,
        "sources": sources,
    }


def start_jobs(
    deps: Deps,
    poster: Poster,
    scheduler: AsyncIOScheduler,
    *,
    prometheus_every: int = 30,
    outbox_every: int = 3,
    routes: Mapping[str, Poster] | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> Worker:
    """Add the interval jobs to an AsyncIOScheduler; returns the outbox worker.

    `poster` is `bot.notify.slack.SlackPoster(make_client(token, settings.api_url))`;
    `routes` the other configured posters (`bot.notify.posters.route_posters`).
    Evaluation and the rollup run on worker threads (`pause` is the rollup's sleep
    between its transactions), so the loop keeps answering Slack while they work.
    """
    worker = Worker(deps.store, poster, deps.clock, routes=routes)

    vitals = deps.store.vitals

    async def tick() -> None:
        try:
            await in_thread(evaluate_once, deps, deps.clock())
        except Exception as exc:
            log.exception("evaluation failed")
            # Loud: /healthz, `status` and doctor say so (a full disk fails the store too).
            vitals.evaluated(False, deps.clock(), describe_error(exc))
            if isinstance(exc, STORE_ERRORS):
                vitals.wrote(False, deps.clock(), describe_error(exc))
        else:
            vitals.evaluated(True, deps.clock())
            vitals.wrote(True, deps.clock())

    async def probe() -> None:
        # A small committed write now and then: a full disk or a read-only file shows in
        # /healthz even while nothing else writes.
        await in_thread(deps.store.probe_write)

    async def outbox() -> None:
        # Returns at once: the pass runs as the worker's own task (see `Worker.kick`), so
        # a slow or failing route never makes this job overrun its interval.
        worker.kick()

    async def rollup() -> None:
        try:
            days = deps.settings.raw_retention_days
            await in_thread(rollup_once, deps, deps.clock(), days, pause)
        except Exception:
            log.exception("rollup failed")

    common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(tick, "interval", seconds=60, id="metrics.evaluate", **common)
    # The first pass at once: it settles what a previous process left `sending` (the
    # worker's `recover`, on a worker thread like the rest of the pass).
    scheduler.add_job(
        outbox,
        "interval",
        seconds=outbox_every,
        id="metrics.outbox",
        next_run_time=datetime.now(UTC),
        **common,
    )
    scheduler.add_job(rollup, "interval", hours=1, id="metrics.rollup", **common)
    scheduler.add_job(probe, "interval", seconds=30, id="store.probe", **common)
    opencost = deps.settings.opencost_url
    if opencost:
        # Hourly, for yesterday's window: each pull replaces the day's last one, so a pull
        # that failed or came before OpenCost had the whole day is made good the next hour.
        async def opencost_pull() -> None:
            await pull_opencost(deps.plan, deps.store, opencost, deps.clock)

        scheduler.add_job(
            opencost_pull,
            "interval",
            hours=1,
            id=f"costs.{OPENCOST_SOURCE}",
            # The first pull soon after start, not an hour later.
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
            **common,
        )
    url = deps.settings.prometheus_url
    if url:
        # Scheduled even when no metric has a query yet, and reading the live plan at each
        # run: a reload that adds or changes a `query` is pulled without a restart.
        async def prometheus() -> None:
            result = await poll_prometheus(deps.plan, deps.store, url, deps.clock)
            deps.telemetry.samples_ingested.labels(source="prometheus").inc(result.stored)

        scheduler.add_job(
            prometheus, "interval", seconds=prometheus_every, id=f"metrics.{SOURCE}", **common
        )
    return worker
