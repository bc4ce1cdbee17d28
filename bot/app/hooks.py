"""What the served app runs beside Slack: the scheduler and its jobs, the outbox worker,
the health cache of outside checks and the loop-lag meter, started and stopped with the
web app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.web import WebHooks
from bot.deps import Deps
from bot.doctor import Check
from bot.jobs.alerts import metrics_health, start_jobs
from bot.jobs.digest import start_digest
from bot.jobs.loop_lag import LagCollector, LoopLag
from bot.jobs.plan_reload import start_plan_jobs
from bot.notify.deliver import Worker
from bot.notify.health import delivery_health
from bot.notify.posters import route_posters
from bot.notify.slack import SlackPoster
from bot.slack.app import AsyncWebClient
from bot.slack.client import MeteredWebClient
from bot.slack.probe import outside_checks
from bot.web.costs import make_cost_routes
from bot.web.estimate import make_estimate_routes
from bot.web.health import REFRESH_EVERY, HealthCache
from bot.web.ingest import make_metrics_routes

__all__ = ["OUTBOX_DRAIN", "default_hooks"]

log = logging.getLogger(__name__)

# How long shutdown waits for an outbox request already sent to Slack.
OUTBOX_DRAIN = 5.0


async def _logged(what: str, work: Awaitable[object]) -> None:
    """Start-up work run in the background: a failure is logged, never left unretrieved."""
    try:
        await work
    except Exception:
        log.exception("%s failed at start", what)


def default_hooks(deps: Deps, client: AsyncWebClient) -> WebHooks:
    """What the served app runs beside Slack: metric ingestion, and the scheduler with
    rule evaluation, the outbox worker, rollups, the Prometheus poller, the digest and the
    plan file's poll."""
    # Notifications own their retries (the outbox worker), so their client has none.
    poster = SlackPoster(
        MeteredWebClient(
            token=client.token or "",
            base_url=deps.settings.api_url,
            timeout=10,
            retry_handlers=[],
            observe=deps.telemetry.api_call,
        )
    )
    scheduler = AsyncIOScheduler(timezone=deps.settings.zone)
    background: set[asyncio.Task[Any]] = set()
    writing: set[asyncio.Task[Any]] = set()
    workers: list[Worker] = []
    lag = LoopLag()
    deps.telemetry.add_collector("loop_lag", LagCollector(lag))

    async def outside(auth: Any) -> list[Check]:
        # A running bot's connection proves its mode: no apps.connections.open every 5 min.
        return await outside_checks(
            deps.settings, deps.plan, deps.telemetry.api_call, auth=auth, mode=False
        )

    health = HealthCache(deps, outside)

    async def start(web_app: web.Application) -> None:
        # Nothing below writes SQLite on the loop's thread: every job, the outbox worker and
        # the digest do on worker threads (tests/app/test_no_writes_on_the_loop.py).
        lag.start()
        routes = route_posters(deps.settings)
        workers.append(start_jobs(deps, poster, scheduler, routes=routes))
        missed = start_digest(deps, poster, scheduler)
        scheduler.add_job(
            health.refresh,
            "interval",
            seconds=REFRESH_EVERY,
            id="health.refresh",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        scheduler.start()
        # In the background, like the digest's catch-up: a write lock another process holds
        # at start delays the plan's change log and the poll, never serving.
        for work, writes in (
            (_logged("the plan's change log and poll", start_plan_jobs(deps, scheduler)), True),
            # A failure (e.g. the write lock held past the busy timeout) is retried by the
            # digest's own retry job.
            (_logged("the digest's catch-up", missed()), True),
            (health.refresh(), False),
        ):
            task = asyncio.ensure_future(work)
            background.add(task)
            task.add_done_callback(background.discard)
            if writes:
                writing.add(task)
                task.add_done_callback(writing.discard)

    async def stop(web_app: web.Application) -> None:
        if scheduler.running:
            scheduler.pause()  # no new runs; then let a delivery in flight finish
            for worker in workers:
                await worker.drain(timeout=OUTBOX_DRAIN)
            scheduler.shutdown(wait=False)
        # Start-up work that writes gets a moment to end, as a delivery in flight does: a
        # task cancelled while its thread writes leaves the thread running into the
        # store's close.
        if writing:
            await asyncio.wait(set(writing), timeout=OUTBOX_DRAIN)
        for task in list(background):
            task.cancel()
        await lag.stop()

    deps.registry.add_check("scheduler", lambda: scheduler.running)
    deps.registry.add_detail("metrics", lambda: metrics_health(deps))
    deps.registry.add_detail(
        "alerts", lambda: delivery_health(deps.plan, deps.settings, deps.store)
    )
    deps.registry.add_detail("outside", health.detail)
    deps.registry.add_detail("loop", lag.health)
    return WebHooks(
        routes=[
            *make_metrics_routes(deps),
            *make_cost_routes(deps),
            *make_estimate_routes(deps),
        ],
        on_startup=[start],
        on_cleanup=[stop],
        health=health,
    )
