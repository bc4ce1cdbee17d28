"""`built [N]`: the tier whose infrastructure is in place, and what every surface says
about demand against it (status, triggers, Home, digest share `tier_facts`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.commands.args import extra_words, parse_tier
from bot.commands.changes import today
from bot.commands.router import Command, Context, refusal
from bot.context import CommandStore
from bot.domain.changes import ChangeDraft
from bot.domain.costs import current_tier, tier_label
from bot.domain.money import fmt_number
from bot.domain.monitoring import Sample
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from bot.domain.tiers import (
    budget_words,
    gap_action,
    metric_label,
    next_trigger,
    users_rule,
    with_built,
)
from bot.domain.values import TERMINAL, Moment, Person, Prose, fmt_value
from bot.monitor.forecast import Forecast, forecast_rule
from bot.reply import Facts, Reply, Text, Typed

__all__ = ["COMMANDS", "answering_store", "forecast_next", "live_plan", "tier_facts"]

log = logging.getLogger(__name__)

FORECAST_WINDOW = timedelta(days=28)


def answering_store(ctx: Context) -> CommandStore | None:
    """The store when this front end has one and it answers; None for plan-only answers."""
    store = ctx.store
    if store is None:
        return None
    try:
        store.tiers  # noqa: B018 - a store opened on first use opens here (any repository)
    except Exception:
        log.exception("store unavailable")
        return None
    return store


def live_plan(ctx: Context) -> Plan:
    """The plan with the built tier a planner recorded (it wins over the plan file's)."""
    store = answering_store(ctx)
    if store is None:
        return ctx.plan
    try:
        return with_built(ctx.plan, store.tiers.built_tier())
    except Exception:
        log.exception("built tier unavailable")
        return ctx.plan


def _built_source(ctx: Context, plan: Plan) -> str:
    store = answering_store(ctx)
    record = store.tiers.built() if store is not None else None
    if record is None or record.tier != plan.built_tier:
        return "from the plan file"
    # The shell records as "terminal": "by the terminal" reads oddly.
    who = ("in the terminal",) if record.by == TERMINAL else ("by ", Person(record.by))
    return Prose("recorded ", *who, " ", Moment(record.at, ctx.zone))


def forecast_next(ctx: Context, metric: str, rule: MetricRule, now: datetime) -> Forecast | None:
    store = answering_store(ctx)
    if store is None:
        return None
    hourly = store.metrics.hourly_extremes(metric, now - FORECAST_WINDOW, now)
    return forecast_rule(rule, hourly, now, FORECAST_WINDOW) if hourly else None


def _shown(plan: Plan, metric: str, value: float | None) -> str:
    return fmt_value(value, plan.unit(metric))


def tier_facts(
    ctx: Context, plan: Plan, latest: Mapping[str, Sample | None]
) -> list[tuple[str, str]]:
    """Demand tier, built tier, the gap between them and the next trigger to watch."""
    users = latest.get(plan.users_metric)
    value = users.value if users else None
    demand = current_tier(plan, value)
    built = plan.built_tier
    rule = users_rule(plan, demand)
    if value is None:
        why = f", assumed: no `{plan.users_metric}` sample yet"
    elif rule is not None:
        shown_users = f"{fmt_number(round(value))} {rule.op} {fmt_number(round(rule.value))}"
        why = f", {metric_label(plan.users_metric)} {shown_users}"
    else:
        why = ""
    facts = [
        ("Demand tier", f"{tier_label(plan, demand)}{why}"),
        ("Built tier", Prose(f"{tier_label(plan, built)}, ", _built_source(ctx, plan))),
    ]
    if demand > built:
        action = gap_action(plan, demand, built)
        facts.append(("Gap", f"{action[0].upper()}{action[1:]}"))
    values = {name: (s.value if s else None) for name, s in latest.items()}
    watch = next_trigger(plan, demand, values)
    if watch is None:
        facts.append(("Next trigger to watch", "none: the top tier is demanded or built"))
        return facts
    text = f"Tier {watch.tier}: {watch.text}"
    if watch.value is None:
        facts.append(("Next trigger to watch", f"{text} (no data yet)"))
        return facts
    text += f", now {_shown(plan, watch.rule.metric, watch.value)}"
    forecast = forecast_next(ctx, watch.rule.metric, watch.rule, ctx.now)
    if forecast is not None and forecast.crosses_at is not None:
        day = Moment(forecast.crosses_at, ctx.zone, "day")
        text = Prose(text, "; forecast to cross ", day, f" ({forecast.basis})")
    elif forecast is not None and forecast.trend is not None:
        text += f"; not approaching ({forecast.basis})"
    facts.append(("Next trigger to watch", text))
    return facts


def built(args: list[str], ctx: Context) -> Reply:
    example = "built 1"
    plan = live_plan(ctx)
    if len(args) > 1:
        raise extra_words("built", args[1:], "one tier number, or nothing", example)
    store = answering_store(ctx)
    latest: dict[str, Sample | None] = {}
    if store is not None:
        latest = {m.name: store.metrics.latest(m.name) for m in plan.metrics}
    if not args:
        return Reply(
            title=f"Built: {tier_label(plan, plan.built_tier)}",
            parts=(Facts(tuple(tier_facts(ctx, plan, latest))),),
            notes=(Prose("Planners record a newer one with `", Typed("built N"), "`."),),
        )
    # The grammar every tier number goes through: `built ²` is refused with `2`, not a crash.
    number = parse_tier(args[0], plan.tier_count, example)
    if not ctx.may_write:
        return refusal("record the built tier", "Anyone may see it with `/capacity built`.")
    if store is None:
        return Reply(
            title="Nothing recorded",
            parts=(Text("This front end has no database to keep the built tier in."),),
            notes=("Run it in Slack or in `capacity-bot shell`, which use CAPACITY_DB.",),
        )
    who = ctx.user_id or "someone"
    was = plan.built_tier
    new_plan = with_built(plan, number)
    draft = ChangeDraft(
        date=today(ctx),
        change=f"{tier_label(plan, number)} built (was Tier {was})",
        reason="Recorded with /capacity built",
        impact=f"Budget {budget_words(new_plan)}; triggers up to Tier {number} inactive",
        tier=number,
    )
    with store.transaction():
        store.tiers.record_built(number, who, ctx.now)
        store.changes.add(
            draft, who, ctx.channel_id, f"built:{number}:{ctx.now.isoformat()}", ctx.now
        )
    return Reply(
        title=f"Built tier: {tier_label(plan, number)}",
        parts=(Facts(tuple(tier_facts(ctx, new_plan, latest))),),
        notes=(
            "Recorded in the change log. The next evaluation resolves the alerts of built"
            " tiers and tells the alerts channel once.",
        ),
    )


COMMANDS = (
    Command(
        "built",
        "built [N]",
        "built 1",
        "The built tier, or record that tier N's infrastructure is in place (planners)",
        built,
        writes=True,
    ),
)
