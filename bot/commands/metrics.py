"""Commands over live data: record a sample, silence a rule, status, live trigger states."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.commands.args import extra_words, parse_decimal
from bot.commands.reality import reality_summary, silenceable_rules
from bot.commands.router import Command, CommandError, Context
from bot.commands.tiers import answering_store, live_plan, tier_facts
from bot.commands.vitals import database_part
from bot.context import CommandStore
from bot.core.config import Settings
from bot.costs.bill_cost import cost_source, with_bill_cost
from bot.domain.costs import current_tier
from bot.domain.money import fmt_money, fmt_number
from bot.domain.monitoring import AlertState, Rule, Sample
from bot.domain.numbers import NumberError, ascii_digits
from bot.domain.plan import Plan
from bot.domain.rules import format_duration, parse_duration
from bot.domain.tiers import budget, budget_words
from bot.domain.values import Moment, Person, Prose, Quantity, Value, shown
from bot.monitor.delivery import delivery_lines, delivery_report
from bot.monitor.rules_from_plan import rules_from_plan
from bot.reply import Facts, Part, Reply, Section, Table, Text, Typed

__all__ = [
    "COMMANDS",
    "delivery_part",
    "firing_part",
    "latest_values",
    "next_tier_table",
    "tier_now",
]

log = logging.getLogger(__name__)

MAX_SILENCE = timedelta(days=30)


def _no_store(valid: str) -> Reply:
    return Reply(
        title="Nothing recorded",
        parts=(Text(f"{valid}, but this front end has no database to keep it in."),),
        notes=("Run it in Slack or in `capacity-bot shell`, which use CAPACITY_DB.",),
    )


def _when(ctx: Context, at: datetime | None) -> Moment | str:
    return "—" if at is None else Moment(at, ctx.zone)


def _shown(plan: Plan, metric: str, value: float | None) -> Quantity:
    return Quantity(value, plan.unit(metric))


def metric(args: list[str], ctx: Context) -> Reply:
    # The plan's own growth measure: `metric orders 2000` in a plan of orders.
    growth = ctx.plan.users_metric
    example = f"metric {growth} {850 if growth == 'mau' else ctx.plan.baseline.users}"
    names = ", ".join(m.name for m in ctx.plan.metrics)
    if len(args) > 2:
        raise extra_words("metric", args[2:], "a metric name and a value", example, after=args[1])
    if not args:
        raise CommandError(f"Give a metric name and a value; the plan's metrics: {names}.", example)
    name = args[0].lower()
    found = ctx.plan.metric(name)
    if found is not None and len(args) == 1:
        raise CommandError(f"Give a value for `{name}` too.", f"metric {name} 1")
    if found is None:
        raise CommandError(
            f"`{name[:40]}` is not a metric in the plan; use one of {names}.", example
        )
    # The number grammar every command uses; `$` and `/mo` for money, `%` for percentages.
    amount = parse_decimal(
        args[1],
        "the value",
        example,
        allow_zero=True,
        signed=True,
        money=found.unit == "$",
        percent=found.unit == "%",
    )
    value = float(amount)
    problem = found.range_problem(value)
    if problem is not None:
        raise CommandError(f"Not recorded: {problem} ({name} takes {found.range_text()}).", example)
    store = answering_store(ctx)
    if store is None:
        return _no_store(f"{name} = {shown(_shown(ctx.plan, name, value))} is a valid sample")
    store.metrics.add_batch([Sample(metric=name, at=ctx.now, value=value)])
    return Reply(
        title=f"Recorded {name} = {shown(_shown(ctx.plan, name, value))}",
        parts=(
            Text(
                Prose(
                    "At ", _when(ctx, ctx.now), ". The next evaluation checks it against the plan."
                )
            ),
        ),
    )


def silence_cmd(args: list[str], ctx: Context) -> Reply:
    example = "silence tier2.mau 2h"
    stale_after = timedelta(seconds=ctx.plan.stale_after)
    rules = silenceable_rules(ctx.plan, stale_after)
    if len(args) > 2:
        raise extra_words("silence", args[2:], "a rule id and a duration", example)
    if not args:
        raise CommandError(
            Prose("Give a rule id and a duration; `", Typed("triggers"), "` lists the ids."),
            example,
        )
    rule_id = args[0]
    if rule_id in rules and len(args) == 1:
        raise CommandError(f"Say for how long to silence `{rule_id}`.", f"silence {rule_id} 2h")
    if rule_id not in rules:
        raise CommandError(
            f"No rule `{rule_id[:60]}`; ids look like {', '.join(list(rules)[:4])}.", example
        )
    raw = args[1]
    try:
        raw = ascii_digits(raw)  # `２h` reads as 2h; `²h` is refused with the plain form
    except NumberError as exc:
        raise CommandError(exc.message, example) from None
    try:
        seconds = parse_duration(raw)
    except ValueError as exc:
        raise CommandError(str(exc), example) from None
    if not 0 < seconds <= MAX_SILENCE.total_seconds():
        raise CommandError("A silence lasts between 1 minute and 30 days.", example)
    until = ctx.now + timedelta(seconds=seconds)
    who = ctx.user_id or "someone"
    store = answering_store(ctx)
    if store is None:
        return _no_store(f"`{rule_id}` is a rule and {format_duration(seconds)} a valid silence")
    store.alerts.silence(rule_id, until, who, ctx.now)
    return Reply(
        title=f"Silenced {rule_id} for {format_duration(seconds)}",
        parts=(
            Text(
                Prose(
                    f"{rules[rule_id].title}: no messages until ",
                    _when(ctx, until),
                    " (by ",
                    Person(who),
                    ").",
                )
            ),
        ),
        notes=(
            Prose(
                "The rule keeps being evaluated; `", Typed("triggers"), "` shows it as silenced."
            ),
        ),
    )


def latest_values(ctx: Context) -> dict[str, Sample | None]:
    """The newest sample of every plan metric; empty without a store."""
    store = answering_store(ctx)
    if store is None:
        return {}
    latest = {m.name: store.metrics.latest(m.name) for m in ctx.plan.metrics}
    return with_bill_cost(ctx.plan, store.costs, ctx.now, latest)


def tier_now(ctx: Context, latest: Mapping[str, Sample | None]) -> int:
    users = latest.get(ctx.plan.users_metric)
    return current_tier(ctx.plan, users.value if users else None)


def next_tier_table(ctx: Context, number: int, latest: Mapping[str, Sample | None]) -> Table | Text:
    """The next tier's triggers with each one's live value and whether it is met."""
    plan = ctx.plan
    if number >= len(plan.tiers):
        return Text("This is the plan's top tier.")
    nxt = plan.tier(number + 1)
    rows: list[tuple[Value, ...]] = []
    for trigger in nxt.triggers:
        if trigger.rule is None:
            rows.append((trigger.text, "—", "watch by hand"))
            continue
        seen = latest.get(trigger.rule.metric)
        value = seen.value if seen else None
        met = "no data" if value is None else ("MET" if trigger.rule.holds(value) else "not yet")
        rows.append((trigger.text, _shown(plan, trigger.rule.metric, value), met))
    if not rows:
        return Text(f"Tier {number + 1} ({nxt.name}) has no triggers in the plan.")
    return Table(
        title=f"Triggers for Tier {number + 1} ({nxt.name})",
        columns=("Trigger", "Now", "State"),
        rows=tuple(rows),
    )


def firing_part(ctx: Context) -> Table | Text | None:
    """Alerts firing now, or None without a store."""
    store = answering_store(ctx)
    if store is None:
        return None
    rules = {r.id: r for r in rules_from_plan(live_plan(ctx))}
    firing = [
        s for s in store.alerts.states().values() if s.status == "firing" and s.rule_id in rules
    ]
    if not firing:
        return Text("No alerts firing.")
    return Table(
        title="Firing alerts",
        columns=("Rule", "Alert", "Value", "Since"),
        rows=tuple(
            (
                s.rule_id,
                rules[s.rule_id].title,
                _shown(ctx.plan, rules[s.rule_id].rule.metric, s.last_value),
                _when(ctx, s.fired_at),
            )
            for s in sorted(firing, key=lambda s: s.rule_id)
        ),
    )


def delivery_part(ctx: Context) -> Section | None:
    """Why alerts may not reach anyone (the bot not in the channel, a route not
    configured), each with its fix; None when every route works or we cannot tell."""
    settings = ctx.settings
    if not isinstance(settings, Settings):  # route settings come only with the real ones
        return None
    store = answering_store(ctx)
    try:
        problems = store.delivery.problems() if store is not None else []
        lines = delivery_lines(delivery_report(ctx.plan, settings, problems), ctx.zone)
    except Exception:
        log.exception("delivery report failed")
        return None
    return Section("Alert delivery", tuple(lines)) if lines else None


def status(args: list[str], ctx: Context) -> Reply:
    if args:
        raise extra_words("status", args, "nothing after it", "status")
    plan = live_plan(ctx)
    store = answering_store(ctx)
    latest = latest_values(ctx)
    mau = latest.get(plan.users_metric)
    number = tier_now(ctx, latest)
    built = budget(plan)
    facts: list[tuple[str, Value]] = [
        *tier_facts(ctx, plan, latest),
        (plan.growth_label, _shown(plan, plan.users_metric, mau.value if mau else None)),
        ("Budget", f"{budget_words(plan)} (built Tier {plan.built_tier})"),
    ]
    cost = latest.get(plan.cost_metric)
    if cost is not None:
        over = cost.value - float(built)
        used = f"{fmt_number(round(cost.value * 100 / float(built)))}%, " if built else ""
        verdict = "over budget" if over > 0 else "within budget"
        spent = shown(_shown(plan, plan.cost_metric, cost.value))
        facts.append(("Cost this month", f"{spent} of {fmt_money(built)}/mo ({used}{verdict})"))
    if store is not None:
        facts.append(("Cost from", cost_source(plan, store.costs, ctx.now)))
    watched = max(number, plan.built_tier)
    parts: list[Part] = [Facts(pairs=tuple(facts)), next_tier_table(ctx, watched, latest)]
    parts.extend(reality_summary(ctx, plan, assumptions=False))
    delivery = delivery_part(ctx)
    if delivery is not None:
        parts.insert(1, delivery)
    database = database_part(ctx)
    if database is not None:
        parts.insert(1, database)
    notes: list[str] = []
    firing = firing_part(ctx)
    if store is None or firing is None:
        notes.append("No database here: live metrics and alerts are not shown.")
    else:
        parts.append(firing)
        for source in store.metrics.sources():
            if not source.ok:
                since = _when(ctx, source.checked_at)
                notes.append(
                    Prose(f"{source.name} pull failing since ", since, f": {source.error}")
                )
            if source.skipped:
                at, why = _when(ctx, source.checked_at), f" skipped (not stored): {source.skipped}"
                notes.append(Prose(f"{source.name} pull at ", at, why))
        unknown = store.outbox.counts().get("unknown", 0)
        if unknown:
            notes.append(f"{unknown} alert message(s) may not have reached Slack (restart).")
    title = f"Capacity status: trigger reached Tier {number}, built Tier {plan.built_tier}"
    return Reply(title=title, parts=tuple(parts), notes=tuple(notes))


def _latest(store: CommandStore, metric: str) -> float | None:
    sample = store.metrics.latest(metric)
    return sample.value if sample is not None else None


def _state_text(rule: Rule, state: AlertState | None, built: int, reported: bool) -> str:
    """`no data` for a metric that never reported; a built tier's trigger says so."""
    if not rule.active:
        return f"inactive (Tier {built} built)"
    if state is None:  # a sample came, and no evaluation since (no `serve` running)
        return "not checked yet"
    if state.status == "nodata":
        ever = reported or state.last_sample_at is not None
        return "no data (stopped reporting)" if ever else "no data"
    return state.status


COMMANDS = (
    Command(
        "status",
        "status",
        "status",
        "Trigger reached, sized for and built tier, metrics against the next tier's"
        " triggers, firing alerts, cost against the built tier's budget",
        status,
    ),
    Command(
        "metric",
        "metric NAME VALUE",
        "metric mau 850",
        "Record a metric sample",
        metric,
        who="planners",
        writes=True,
    ),
    Command(
        "silence",
        "silence RULE DURATION",
        "silence tier2.mau 2h",
        "Mute one alert rule's messages for a while",
        silence_cmd,
        who="planners",
        writes=True,
    ),
)
