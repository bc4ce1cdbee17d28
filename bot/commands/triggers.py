"""`/capacity triggers`: the plan's scaling triggers and alert thresholds, and each rule's
live state (value, since when, silenced) when the bot has a store."""

from __future__ import annotations

import logging

from bot.commands.args import extra_words
from bot.commands.metrics import _latest, _shown, _state_text, _when, latest_values
from bot.commands.router import Command, Context
from bot.commands.tiers import answering_store, live_plan, tier_facts
from bot.domain.plan import Plan
from bot.domain.tiers import relative_threshold
from bot.domain.values import Moment, Person, Prose, Value
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import STALE_PREFIX
from bot.reply import Facts, Reply, Section, Table, Text, Typed

__all__ = ["TRIGGERS", "triggers"]

log = logging.getLogger(__name__)


def _from_plan(args: list[str], plan: Plan) -> Reply:
    if args:
        raise extra_words("triggers", args, "nothing after it", "triggers")
    parts: list[Text | Facts | Table | Section] = []
    if plan.scaling_triggers:
        parts.append(
            Table(
                title="Scaling triggers",
                columns=("Trigger", "Action", "Lead time"),
                rows=tuple((t.text, t.action, t.lead_time or "—") for t in plan.scaling_triggers),
            )
        )
    if plan.auto_scaling and plan.auto_scaling.rules:
        auto = plan.auto_scaling
        items = (
            *(f"{r.text} → {r.action}" for r in auto.rules),
            f"Min containers: {auto.min_containers} (always)",
            f"Max containers: {auto.max_containers} (cost limit)",
        )
        parts.append(Section(f"Auto-scaling rules (Tier {auto.from_tier}+)", items))
    if plan.thresholds:
        parts.append(
            Section(
                "Alert thresholds",
                tuple(
                    f"{t.name}: {t.text or t.rule.describe(plan.unit(t.rule.metric))}"
                    f" ({t.severity}{', ' + t.tool if t.tool else ''})"
                    + relative_threshold(plan, t.rule)
                    for t in plan.thresholds
                ),
            )
        )
    upcoming = [(n, t) for n, t in enumerate(plan.tiers, start=1) if t.triggers]
    for number, info in upcoming[:3]:
        parts.append(Section(f"Approaching Tier {number}", tuple(t.text for t in info.triggers)))
    if not parts:
        parts.append(Text("The plan has no triggers or thresholds."))
    return Reply(title="Scaling triggers and alert thresholds", parts=tuple(parts))


def triggers(args: list[str], ctx: Context) -> Reply:
    """The plan's triggers and thresholds, with each rule's live state when a store is at
    hand (and the built tier a planner recorded)."""
    plan = live_plan(ctx)
    reply = _from_plan(args, plan)
    store = answering_store(ctx)
    if store is None or reply.error:
        return reply
    try:
        states = store.alerts.states()
        silences = store.alerts.silences(ctx.now)
    except Exception:
        log.exception("alert states unavailable")
        return reply
    rows: list[tuple[Value, ...]] = []
    stale = [r for r in states if r.startswith(STALE_PREFIX) and states[r].status == "firing"]
    reported = {r.removeprefix(STALE_PREFIX) for r in states if r.startswith(STALE_PREFIX)}
    for rule in rules_from_plan(plan):
        state = states.get(rule.id)
        held = silences.get(rule.id)
        # Not evaluated yet (no `serve` running): the newest sample is the value there is.
        value = state.last_value if state else _latest(store, rule.rule.metric)
        rows.append(
            (
                rule.id,
                _state_text(rule, state, plan.built_tier, rule.rule.metric in reported)
                if state is not None or value is not None
                else "no data",
                _shown(plan, rule.rule.metric, value),
                _when(ctx, state.since if state else None),
                Prose("until ", Moment(held.until, ctx.zone), " by ", Person(held.by))
                if held
                else "—",
            )
        )
    for rule_id in sorted(stale):
        state = states[rule_id]
        rows.append(
            (
                rule_id,
                "stopped reporting",
                _shown(plan, rule_id.removeprefix(STALE_PREFIX), state.last_value),
                _when(ctx, state.since),
                "—",
            )
        )
    live = Table(
        title="Live state",
        columns=("Rule", "State", "Value", "Since", "Silenced"),
        rows=tuple(rows),
    )
    notes = (*reply.notes, Prose("`", Typed("silence RULE 2h"), "` mutes a rule's messages."))
    tiers = Facts(tuple(tier_facts(ctx, plan, latest_values(ctx))))
    return Reply(title=reply.title, parts=(tiers, *reply.parts, live), notes=notes)


TRIGGERS = Command(
    "triggers",
    "triggers",
    "triggers",
    "Scaling triggers and alert thresholds",
    triggers,
    # The built tier and each rule's state come from the store, the "since" from the clock.
    reads=frozenset({"store", "clock", "settings"}),
)
