"""Scheduled work: evaluate rules, deliver the outbox, roll up samples, poll Prometheus.

The app calls `start_jobs(deps, client, scheduler)` at start-up (after `scheduler.start()`
or before, either works) and `scheduler.shutdown()` at shutdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from bot.commands.reality import reality_of
from bot.core.offload import in_thread
from bot.deps import Deps
from bot.domain.costs import current_tier
from bot.domain.money import in_currency
from bot.domain.monitoring import Rule
from bot.domain.plan import Plan
from bot.domain.tiers import with_built
from bot.jobs.cost_watch import cost_inputs, fired_marks
from bot.jobs.opencost import SOURCE as OPENCOST_SOURCE
from bot.jobs.opencost import pull_opencost
from bot.jobs.prometheus import SOURCE, poll_prometheus
from bot.monitor import AlertState, Evaluation, Sample, evaluate, silence
from bot.monitor.assumptions import ASSUMPTION_PREFIX, assumption_rule, assumptions
from bot.monitor.routes import routes_for
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import STALE_PREFIX, stale_rule, staleness
from bot.notify.compose import OutboxItem, load_payload, resolution_edit, with_edit
from bot.notify.deliver import Poster, Worker
from bot.notify.dispatch import routed_items
from bot.notify.tiers import built_notice, demand_notice
from store import Store
from store.vitals import STORE_ERRORS, describe_error

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
# The plan's assumptions move over days: checking them every quarter hour is plenty, and
# keeps their 28 days of hourly aggregates off most evaluation ticks.
ASSUMPTIONS_EVERY = timedelta(minutes=15)


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
    # Every amount in the alerts of this tick is in the plan's currency.
    with in_currency(deps.plan.currency):
        return _evaluate(deps, now, repeat_interval)


def _evaluate(deps: Deps, now: datetime, repeat_interval: timedelta) -> Evaluation:
    store = deps.store
    plan = with_built(deps.plan, store.tiers.built_tier())
    rules = rules_from_plan(plan)
    previous = store.alerts.states()
    for rule_id, held in store.alerts.silences(now).items():
        base = previous.get(rule_id) or AlertState(rule_id=rule_id)
        previous[rule_id] = silence(base, held.until, held.by)
    samples = load_samples(deps, rules, previous, now)
    # Once bills cover the month, their month so far is the cost every budget rule uses.
    costs, billed = cost_inputs(deps, plan, now, previous)
    if billed is not None and plan.cost_metric in samples:
        samples[plan.cost_metric] = [billed]
    samples.update(costs.samples)
    stale_after = timedelta(seconds=plan.stale_after)
    result = evaluate(
        [*rules, *costs.rules],
        samples,
        previous,
        now,
        repeat_interval=repeat_interval,
        stale_after=stale_after,
    )
    # A metric that went quiet is one warning of its own, not a note on every alert of it.
    watched = sorted({r.rule.metric for r in rules if r.active})
    seen = {m: store.metrics.latest(m) for m in {*watched, plan.users_metric}}
    if billed is not None and plan.cost_metric in seen:
        seen[plan.cost_metric] = billed
    last_seen = {m: (s.at, s.value) for m, s in seen.items() if s is not None}
    quiet = staleness(watched, last_seen, previous, now, stale_after)
    quieted = {e.rule_id.removeprefix(STALE_PREFIX) for e in quiet.events}
    stale_rules = (stale_rule(m, stale_after) for m in sorted({*watched, *quieted}))
    every_rule = [*rules, *costs.rules, *stale_rules]
    plan_off = _assumptions(deps, plan, previous, now)
    every_rule.extend(plan_off[1])
    events = [*(e for e in result.events if e.kind != "nodata"), *quiet.events]
    events.extend(plan_off[0].events)
    routes = routes_for(plan, deps.settings)
    zone = deps.settings.zone
    items = routed_items(events, every_rule, costs.plan_with_metrics(plan), routes, now, zone)
    # Tier news goes where p1 warnings go: the alerts channel.
    channel = deps.settings.slack_channel("p1")
    notices, marks = _tier_notices(deps, plan, seen, channel, now)
    marks.update(fired_marks(result.events))
    if plan_off[1]:  # checked this tick: saved with the states, in the same transaction
        marks["assumptions_checked"] = int(now.timestamp())
    items.extend(notices)
    states = {**result.states, **quiet.states, **plan_off[0].states}
    items = [_with_original_edit(store, states, item, now, zone) for item in items]
    with store.transaction():
        store.alerts.save_states(states, now)
        for name, value in marks.items():
            store.tiers.set_mark(name, value)
        for item in items:
            store.outbox.enqueue(
                item.dedup_key, item.kind, item.payload_json, now, item.alerts, item.route
            )
    return Evaluation(states=states, events=events)


def _assumptions(
    deps: Deps, plan: Plan, previous: Mapping[str, AlertState], now: datetime
) -> tuple[Evaluation, list[Rule]]:
    """The plan's assumptions against the measured values, every ASSUMPTIONS_EVERY; in
    between, their states are carried as they were (every tick saves every state)."""
    mine = {k: v for k, v in previous.items() if k.startswith(ASSUMPTION_PREFIX)}
    checked = deps.store.tiers.mark("assumptions_checked")
    if checked is not None and now.timestamp() - checked < ASSUMPTIONS_EVERY.total_seconds():
        return Evaluation(states=mine, events=[]), []
    reality = reality_of(deps.store, plan, now)
    found = assumptions(reality, previous, now)
    rules = [assumption_rule(row, reality.tolerance) for row in reality.rows]
    return found, rules


def _tier_notices(
    deps: Deps, plan: Plan, seen: Mapping[str, Sample | None], channel: str, now: datetime
) -> tuple[list[OutboxItem], dict[str, int]]:
    """One message when the built tier changes, and one when demand reaches a tier that is
    already built (above the built tier, the users trigger's own warning says it)."""
    store = deps.store
    items: list[OutboxItem] = []
    newest = seen.get(plan.users_metric)
    users = newest.value if newest else None
    latest = {m: (s.value if s else None) for m, s in seen.items()}
    announced = store.tiers.mark("built")
    was = deps.plan.built_tier if announced is None else announced
    if plan.built_tier != was:
        record = store.tiers.built()
        mine = record is not None and record.tier == plan.built_tier
        by = record.by if record is not None and mine else None
        at = record.at if record is not None and mine else None
        items.append(
            built_notice(plan, was, users, by, channel, now, latest, at, deps.settings.zone)
        )
    demand = current_tier(plan, users)
    reached = store.tiers.mark("demand")
    if reached is not None and reached < demand <= plan.built_tier:
        items.append(demand_notice(plan, users, channel, now, latest))
    return items, {"built": plan.built_tier, "demand": max(demand, reached or 0)}


def _with_original_edit(
    store: Store,
    states: Mapping[str, AlertState],
    item: OutboxItem,
    now: datetime,
    zone: tzinfo,
) -> OutboxItem:
    """A resolution carries the edit of its original message, composed now, so delivery
    only carries it out: every alert of that message that no longer fires shows resolved."""
    if item.kind != "resolved" or not item.payload.alerts:
        return item
    alert = item.payload.alerts[0]
    row = store.outbox.announcing(alert.rule_id, alert.fired_at)
    if row is None:
        return item
    original = load_payload(row.payload)
    resolved: dict[str, datetime] = {}
    for line in original.alerts:
        state = states.get(line.rule_id)
        if state is not None and state.fired_at == datetime.fromisoformat(line.fired_at):
            continue  # still the same alert: firing, or waiting for data
        earlier = store.alerts.message_for(line.rule_id, line.fired_at)
        resolved[line.rule_id] = earlier.resolved_at if earlier and earlier.resolved_at else now
    return with_edit(item, resolution_edit(original, resolved, zone))


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
    worker.recover()

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
    scheduler.add_job(outbox, "interval", seconds=outbox_every, id="metrics.outbox", **common)
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
