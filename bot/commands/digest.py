"""`/capacity digest`: a preview of the digest of the current slot of CAPACITY_DIGEST_CRON,
only to the person who asked; and the digest's data gathered from the store, for the
preview and the scheduled job alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from bot.commands.args import extra_words
from bot.commands.bill_cost import bill_cost
from bot.commands.reality import measured_now
from bot.commands.router import Command, Context
from bot.commands.spend import gather_spend
from bot.context import CommandStore
from bot.digest.build import build_digest
from bot.digest.data import (
    SAMPLE_WINDOW,
    WEEK,
    AlertRecord,
    ChangeRecord,
    DigestInput,
    empty_input,
)
from bot.digest.schedule import current_slot
from bot.domain.plan import Plan
from bot.domain.tiers import with_built
from bot.monitor.assumptions import ASSUMPTION_PREFIX
from bot.monitor.rules_from_plan import rules_from_plan
from bot.reply import Reply

__all__ = ["COMMANDS", "digest_input", "gather_digest_input"]

PREVIEW_NOTE = "Preview: only you can see this. The digest itself posts to the alerts channel."


def gather_digest_input(
    plan: Plan,
    store: CommandStore,
    now: datetime,
    zone: tzinfo,
    since: datetime | None = None,
    slot: timedelta | None = None,
) -> DigestInput:
    """The digest's data from the store: samples, and the alerts and changes since `since`
    (the start of the slot; a week by default); `slot` is the cron's slot length. Reads only.

    The plan carries the built tier a planner recorded; `extremes` (hourly min and max) let
    the digest forecast from daily peaks or lows."""
    plan = with_built(plan, store.tiers.built_tier())
    metrics = {m.name for m in plan.metrics} | {r.metric for _, r in plan.metric_rules()}
    latest = {}
    samples = {}
    extremes = {}
    for metric in sorted(metrics):
        newest = store.metrics.latest(metric)
        if newest is not None:
            latest[metric] = (newest.value, newest.at)
            samples[metric] = store.metrics.hourly_means(metric, now - SAMPLE_WINDOW, now)
            extremes[metric] = store.metrics.hourly_extremes(metric, now - SAMPLE_WINDOW, now)
    reality, fails = measured_now(store, plan, now)
    titles = {rule.id: rule.title for rule in rules_from_plan(plan)}
    # A plan assumption's warning, named as its message named it (without today's figures).
    titles.update(
        (f"{ASSUMPTION_PREFIX}{row.key}", f"Plan assumption off: {row.label}")
        for row in reality.rows
    )
    week_start = since or now - WEEK
    week = [
        AlertRecord(
            titles.get(m.rule_id, m.rule_id), datetime.fromisoformat(m.fired_at), m.resolved_at
        )
        for m in store.alerts.messages_since(week_start)
    ]
    firing = [
        AlertRecord(titles.get(rule_id, rule_id), state.fired_at or now)
        for rule_id, state in sorted(store.alerts.states().items())
        if state.status == "firing"
    ]
    local_start = week_start.astimezone(zone).date()
    changes = [
        ChangeRecord(c.date, c.change, c.cost_change)
        for c in store.changes.since(local_start)
        if c.deleted_at is None
    ]
    billed = bill_cost(store.costs, now)
    return DigestInput(
        reality=reality,
        fails=fails,
        plan=plan,
        now=now,
        # The bills' month so far once they cover the month, as every budget rule uses.
        cost_this_month=billed.amount if billed else None,
        spend=gather_spend(store.costs, plan, now) if billed else None,
        zone=zone,
        latest=latest,
        samples=samples,
        extremes=extremes,
        alerts_fired_resolved=week,
        still_firing=firing,
        changes=changes,
        since=since,
        slot=slot,
    )


def digest_input(ctx: Context) -> DigestInput:
    """What the digest at the end of the current slot will cover, as far as it has got:
    the time since the slot started (CAPACITY_DIGEST_CRON; a week without settings).
    From the store when there is one, else the plan alone."""
    found = current_slot(ctx.settings.digest_cron, ctx.zone, ctx.now) if ctx.settings else None
    since, slot = found if found is not None else (None, None)
    if ctx.store is None:
        return replace(empty_input(ctx.plan, ctx.now, ctx.zone), since=since, slot=slot)
    return gather_digest_input(ctx.plan, ctx.store, ctx.now, ctx.zone, since, slot)


def digest(args: list[str], ctx: Context) -> Reply:
    if args:
        raise extra_words("digest", args, "nothing after it", "digest")
    reply = build_digest(digest_input(ctx))
    return replace(reply, notes=(*reply.notes, PREVIEW_NOTE))


COMMANDS = (
    Command(
        "digest",
        "digest",
        "digest",
        "A preview of the digest so far (its current slot), only to you",
        digest,
        reads=frozenset({"clock", "settings", "store"}),
    ),
)
