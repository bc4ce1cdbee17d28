"""One evaluation tick as a notification pipeline, its stages declared in order in `STAGES`
(the way Alertmanager's notify pipeline declares its stages):

    evaluate  rules + samples + stored states and silences -> new states and events
              (bot/monitor/evaluate.py), and the metrics that went quiet (staleness.py)
    announce  the events a person hears about (a quiet metric is one warning of its own,
              not a note on each alert of it), and tier news (built tier, demand)
    group     events into messages: a bad minute is one message (bot/monitor/group.py)
    route     the group stage's messages on their routes: each route takes its share of a
              message; PagerDuty one per alert, reminders to Slack only (dispatch.py)
    compose   the words of each message (bot/notify/compose.py); a resolution carries the
              edit of its original message, so delivery only carries it out
    enqueue   states, tier marks and outbox rows, in one transaction

Each stage reads and adds to one `Tick`. Pure but for `evaluate` (reads the store) and
`enqueue` (writes it); `now` is passed in. Delivery is the outbox worker's (deliver.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.config import Settings
from bot.costs.watch import cost_inputs, fired_marks
from bot.domain.costs import current_tier
from bot.domain.money import in_currency
from bot.domain.monitoring import Event, Rule
from bot.domain.plan import Plan
from bot.domain.tiers import with_built
from bot.monitor import AlertState, Evaluation, Sample, evaluate, silence
from bot.monitor.cost_alerts import CostWatch
from bot.monitor.group import Notification, group_events
from bot.monitor.routes import Destination, routes_for
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import STALE_PREFIX, stale_rule, staleness
from bot.notify.compose import OutboxItem, load_payload, resolution_edit, with_edit
from bot.notify.dispatch import compose_routed, route_notifications
from bot.notify.tiers import built_notice, demand_notice
from store import Store

__all__ = ["REPEAT_INTERVAL", "STAGES", "Tick", "load_samples", "run_tick"]

REPEAT_INTERVAL = timedelta(hours=4)


@dataclass
class Tick:
    """What one evaluation knows, stage by stage."""

    store: Store
    live: Plan  # the plan as loaded; `plan` adds the built tier a planner recorded
    settings: Settings
    now: datetime
    repeat_interval: timedelta = REPEAT_INTERVAL
    plan: Plan | None = None
    rules: list[Rule] = field(default_factory=list)  # with a stale rule per quiet metric
    seen: dict[str, Sample | None] = field(default_factory=dict)  # newest sample per metric
    states: dict[str, AlertState] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)  # what the rules' states did
    quiet: list[Event] = field(default_factory=list)  # metrics that stopped reporting
    announced: list[Event] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    routed: list[tuple[Destination, list[Notification]]] = field(default_factory=list)
    items: list[OutboxItem] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)
    costs: CostWatch = field(default_factory=CostWatch)  # the month's cost rules, from bills

    @property
    def current(self) -> Plan:
        assert self.plan is not None, "evaluate runs first"
        return self.plan


def load_samples(
    store: Store, plan: Plan, rules: Sequence[Rule], previous: dict[str, AlertState], now: datetime
) -> dict[str, list[Sample]]:
    """Only what the evaluation needs: per metric, samples since the oldest observation
    the stored states already hold (the monitor carries runs across ticks), or the longest
    `for` plus the staleness window when a rule has no state yet."""
    stale = timedelta(seconds=plan.stale_after)
    out: dict[str, list[Sample]] = {}
    for metric in sorted({r.rule.metric for r in rules}):
        mine = [r for r in rules if r.rule.metric == metric]
        longest = timedelta(seconds=max(r.rule.for_seconds for r in mine)) + stale
        seen = [previous[r.id].last_sample_at for r in mine if r.id in previous]
        if len(seen) == len(mine) and all(s is not None for s in seen):
            since = max(min(s for s in seen if s is not None), now - longest)
        else:
            since = now - longest
        out[metric] = store.metrics.window(metric, since, now)
    return out


def evaluate_stage(tick: Tick) -> None:
    store, now = tick.store, tick.now
    plan = tick.plan = with_built(tick.live, store.tiers.built_tier())
    rules = rules_from_plan(plan)
    previous = store.alerts.states()
    for rule_id, held in store.alerts.silences(now).items():
        base = previous.get(rule_id) or AlertState(rule_id=rule_id)
        previous[rule_id] = silence(base, held.until, held.by)
    samples = load_samples(store, plan, rules, previous, now)
    # Once bills cover the month, their month so far is the cost every budget rule uses.
    costs, billed = cost_inputs(store, plan, now, previous)
    if billed is not None and plan.cost_metric in samples:
        samples[plan.cost_metric] = [billed]
    samples.update(costs.samples)
    tick.costs = costs
    stale_after = timedelta(seconds=plan.stale_after)
    result = evaluate(
        [*rules, *costs.rules],
        samples,
        previous,
        now,
        repeat_interval=tick.repeat_interval,
        stale_after=stale_after,
    )
    watched = sorted({r.rule.metric for r in rules if r.active})
    tick.seen = {m: store.metrics.latest(m) for m in {*watched, plan.users_metric}}
    if billed is not None and plan.cost_metric in tick.seen:
        tick.seen[plan.cost_metric] = billed
    last_seen = {m: (s.at, s.value) for m, s in tick.seen.items() if s is not None}
    quiet = staleness(watched, last_seen, previous, now, stale_after)
    quieted = {e.rule_id.removeprefix(STALE_PREFIX) for e in quiet.events}
    stale_rules = (stale_rule(m, stale_after) for m in sorted({*watched, *quieted}))
    tick.rules = [*rules, *costs.rules, *stale_rules]
    tick.events, tick.quiet = list(result.events), list(quiet.events)
    tick.states = {**result.states, **quiet.states}


def announce_stage(tick: Tick) -> None:
    # A metric that went quiet is one warning of its own, not a note on every alert of it.
    tick.announced = [*(e for e in tick.events if e.kind != "nodata"), *tick.quiet]
    tick.marks = {**_tier_marks(tick), **fired_marks(tick.events)}


def group_stage(tick: Tick) -> None:
    tick.notifications = group_events(tick.announced, tick.rules)


def route_stage(tick: Tick) -> None:
    routes = routes_for(tick.current, tick.settings)
    # The group stage's messages as they are; a route takes its share of each.
    tick.routed = route_notifications(tick.notifications, tick.rules, routes, tick.announced)


def compose_stage(tick: Tick) -> None:
    zone = tick.settings.zone
    # The cost rules' metrics (forecast, components) are the plan's for the words.
    plan = tick.costs.plan_with_metrics(tick.current)
    items = compose_routed(tick.routed, tick.rules, plan, tick.now, zone)
    items.extend(_tier_notices(tick))
    tick.items = [_with_original_edit(tick, item) for item in items]


def enqueue_stage(tick: Tick) -> None:
    store, now = tick.store, tick.now
    with store.transaction():
        store.alerts.save_states(tick.states, now)
        for name, value in tick.marks.items():
            store.tiers.set_mark(name, value)
        for item in tick.items:
            store.outbox.enqueue(
                item.dedup_key, item.kind, item.payload_json, now, item.alerts, item.route
            )


STAGES: tuple[tuple[str, Callable[[Tick], None]], ...] = (
    ("evaluate", evaluate_stage),
    ("announce", announce_stage),
    ("group", group_stage),
    ("route", route_stage),
    ("compose", compose_stage),
    ("enqueue", enqueue_stage),
)


def run_tick(tick: Tick) -> Evaluation:
    """Every stage in order; every write of the tick (states, marks, outbox rows) is one
    transaction."""
    # Every amount in the alerts of this tick is in the plan's currency.
    with in_currency(tick.live.currency):
        for _, stage in STAGES:
            stage(tick)
    return Evaluation(states=tick.states, events=tick.announced)


def _news(tick: Tick) -> tuple[float | None, dict[str, float | None]]:
    newest = tick.seen.get(tick.current.users_metric)
    users = newest.value if newest else None
    return users, {m: (s.value if s else None) for m, s in tick.seen.items()}


def _tier_marks(tick: Tick) -> dict[str, int]:
    users, _ = _news(tick)
    demand = current_tier(tick.current, users)
    reached = tick.store.tiers.mark("demand")
    return {"built": tick.current.built_tier, "demand": max(demand, reached or 0)}


def _tier_notices(tick: Tick) -> list[OutboxItem]:
    """One message when the built tier changes, and one when demand reaches a tier that is
    already built (above the built tier, the users trigger's own warning says it). Tier
    news goes where p1 warnings go: the alerts channel."""
    store, plan, now, settings = tick.store, tick.current, tick.now, tick.settings
    channel = settings.slack_channel("p1")
    users, latest = _news(tick)
    items: list[OutboxItem] = []
    announced = store.tiers.mark("built")
    was = tick.live.built_tier if announced is None else announced
    if plan.built_tier != was:
        record = store.tiers.built()
        mine = record is not None and record.tier == plan.built_tier
        by = record.by if record is not None and mine else None
        at = record.at if record is not None and mine else None
        items.append(built_notice(plan, was, users, by, channel, now, latest, at, settings.zone))
    demand = current_tier(plan, users)
    reached = store.tiers.mark("demand")
    if reached is not None and reached < demand <= plan.built_tier:
        items.append(demand_notice(plan, users, channel, now, latest))
    return items


def _with_original_edit(tick: Tick, item: OutboxItem) -> OutboxItem:
    """A resolution carries the edit of its original message, composed now, so delivery
    only carries it out: every alert of that message that no longer fires shows resolved."""
    if item.kind != "resolved" or not item.payload.alerts:
        return item
    alert = item.payload.alerts[0]
    row = tick.store.outbox.announcing(alert.rule_id, alert.fired_at)
    if row is None:
        return item
    original = load_payload(row.payload)
    resolved: dict[str, datetime] = {}
    for line in original.alerts:
        state = tick.states.get(line.rule_id)
        if state is not None and state.fired_at == datetime.fromisoformat(line.fired_at):
            continue  # still the same alert: firing, or waiting for data
        earlier = tick.store.alerts.message_for(line.rule_id, line.fired_at)
        resolved[line.rule_id] = (
            earlier.resolved_at if earlier and earlier.resolved_at else tick.now
        )
    return with_edit(item, resolution_edit(original, resolved, tick.settings.zone))
