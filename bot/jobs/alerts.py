"""Scheduled work: evaluate rules, deliver the outbox, roll up samples, poll Prometheus.

The app calls `start_jobs(deps, client, scheduler)` at start-up (after `scheduler.start()`
or before, either works) and `scheduler.shutdown()` at shutdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.deps import Deps
from bot.domain.monitoring import Rule
from bot.jobs.prometheus import SOURCE, poll_prometheus
from bot.monitor import AlertState, Evaluation, Sample, evaluate, group_events, silence
from bot.monitor.rules_from_plan import rules_from_plan
from bot.notify.compose import decide
from bot.notify.deliver import Poster, Worker
from bot.offload import in_thread

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = [
    "REPEAT_INTERVAL",
    "evaluate_once",
    "load_samples",
    "metrics_health",
    "rollup_once",
    "start_jobs",
]

log = logging.getLogger(__name__)

REPEAT_INTERVAL = timedelta(hours=4)


def load_samples(
    deps: Deps, rules: Sequence[Rule], previous: dict[str, AlertState], now: datetime
) -> dict[str, list[Sample]]:
    """Only what the evaluation needs: per metric, samples since the oldest observation
    the stored states already hold (the monitor carries runs across ticks), or the longest
    `for` plus the staleness window when a rule has no state yet."""
    stale = timedelta(seconds=deps.plan.stale_after)
    out: dict[str, list[Sample]] = {}
    for metric in sorted({r.rule.metric for r in rules}):
        mine = [r for r in rules if r.rule.metric == metric]
        longest = timedelta(seconds=max(r.rule.for_seconds for r in mine)) + stale
        seen = [previous[r.id].last_sample_at for r in mine if r.id in previous]
        if len(seen) == len(mine) and all(s is not None for s in seen):
            since = max(min(s for s in seen if s is not None), now - longest)
        else:
            since = now - longest
        out[metric] = deps.store.metrics.window(metric, since, now)
    return out


def evaluate_once(
    deps: Deps, now: datetime, *, repeat_interval: timedelta = REPEAT_INTERVAL
) -> Evaluation:
    """One tick: rules + samples + stored states and silences -> new states + queued posts.

    Every write of the tick (states and outbox rows) is one transaction.
    """
    rules = rules_from_plan(deps.plan)
    store = deps.store
    previous = store.alerts.states()
    for rule_id, held in store.alerts.silences(now).items():
        base = previous.get(rule_id) or AlertState(rule_id=rule_id)
        previous[rule_id] = silence(base, held.until, held.by)
    samples = load_samples(deps, rules, previous, now)
    result = evaluate(
        rules,
        samples,
        previous,
        now,
        repeat_interval=repeat_interval,
        stale_after=timedelta(seconds=deps.plan.stale_after),
    )
    channel = deps.settings.alerts_channel or ""
    items = decide(group_events(result.events, rules), rules, deps.plan, channel, now)
    with store.transaction():
        store.alerts.save_states(result.states, now)
        for item in items:
            store.outbox.enqueue(item.dedup_key, item.kind, item.payload_json, now, item.alerts)
    return result


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
    pause: Callable[[float], None] = time.sleep,
) -> Worker:
    """Add the interval jobs to an AsyncIOScheduler; returns the outbox worker.

    Evaluation and the rollup run on worker threads (`pause` is the rollup's sleep
    between its transactions), so the loop keeps answering Slack while they work.

    `poster` is `bot.notify.slack.SlackPoster(make_client(token, settings.api_url))`.
    """
    worker = Worker(deps.store, poster, deps.clock)
    worker.recover()

    async def tick() -> None:
        try:
            await in_thread(evaluate_once, deps, deps.clock())
        except Exception:
            log.exception("evaluation failed")

    async def outbox() -> None:
        try:
            await worker.run_once()
        except Exception:
            log.exception("outbox delivery failed")

    async def rollup() -> None:
        try:
            days = deps.settings.raw_retention_days
            await in_thread(rollup_once, deps, deps.clock(), days, pause)
        except Exception:
            log.exception("rollup failed")

    common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(tick, "interval", seconds=60, id="metrics.evaluate", **common)
    scheduler.add_job(outbox, "interval", seconds=outbox_every, id="metrics.outbox", **common)
    scheduler.add_job(rollup, "interval", hours=1, id="metrics.rollup", **common)
    url = deps.settings.prometheus_url
    if url and any(m.query for m in deps.plan.metrics):

        async def prometheus() -> None:
            await poll_prometheus(deps.plan, deps.store, url, deps.clock)

        scheduler.add_job(
            prometheus, "interval", seconds=prometheus_every, id=f"metrics.{SOURCE}", **common
        )
    return worker
