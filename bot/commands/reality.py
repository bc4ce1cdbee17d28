"""`/capacity reality`: each assumption of the plan against the measured value."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.commands.args import extra_words
from bot.commands.queue_model import model_from_hours
from bot.commands.router import Command, Context
from bot.commands.tiers import answering_store, live_plan
from bot.context import CommandStore
from bot.digest.reality_panel import assumptions_brief, fails_first_part
from bot.digest.reality_panel import reality_parts as reality_panel
from bot.domain.monitoring import HourStat, Rule
from bot.domain.plan import Plan
from bot.domain.reality import Reality, assess, role_metrics
from bot.domain.reality_measure import FULL_DAY_HOURS, MIN_DAYS, MIN_SAMPLES, WINDOW, Measured
from bot.domain.values import Prose, Typed, Value
from bot.monitor.assumptions import assumption_rule
from bot.monitor.fails_first import FailsFirst, fails_first
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import stale_rule
from bot.reply import Part, Reply, Section, Table, Text

__all__ = [
    "COMMANDS",
    "assumption_rules",
    "gather_hours",
    "measured_now",
    "reality_of",
    "reality_parts",
    "reality_summary",
    "silenceable_rules",
]


def gather_hours(store: CommandStore, plan: Plan, now: datetime) -> dict[str, list[HourStat]]:
    """The hourly statistics of every role metric over the window: one aggregate query
    each, never the raw samples themselves."""
    since = now - WINDOW
    return {m: store.metrics.hourly_stats(m, since, now) for m in role_metrics(plan)}


def reality_of(store: CommandStore, plan: Plan, now: datetime) -> Reality:
    return assess(plan, gather_hours(store, plan, now))


def measured_now(store: CommandStore, plan: Plan, now: datetime) -> tuple[Reality, FailsFirst]:
    """The assumptions and what fails first, from one read of the hourly statistics."""
    hours = gather_hours(store, plan, now)
    model = model_from_hours(plan, hours, now)
    running = hours.get(plan.reality.metrics.containers) or ()
    load = model.load_at_target(plan, running[-1].mean) if running else None
    return assess(plan, hours), fails_first(plan, hours, now, p95_load=load)


def assumption_rules(plan: Plan) -> dict[str, Rule]:
    """`assumption.<row>` for every row, measured or not (what `silence` accepts)."""
    unmeasured = assess(plan, {})
    rules = (assumption_rule(row, unmeasured.tolerance) for row in unmeasured.rows)
    return {rule.id: rule for rule in rules}


def silenceable_rules(plan: Plan, stale_after: timedelta) -> dict[str, Rule]:
    """Every rule id `silence` accepts: the plan's rules, each metric's staleness, and
    the plan's assumptions."""
    rules = {r.id: r for r in rules_from_plan(plan)}
    rules.update((r.id, r) for r in (stale_rule(m.name, stale_after) for m in plan.metrics))
    return {**rules, **assumption_rules(plan)}


def reality_summary(ctx: Context, plan: Plan, *, assumptions: bool = True) -> list[Part]:
    """What status and Home show: what fails first and the assumptions off. Empty without a
    store, and never an error: a page of its own must not fail for this part of it."""
    store = answering_store(ctx)
    if store is None:
        return []
    try:
        reality, fails = measured_now(store, plan, ctx.now)
    except Exception:
        log.exception("reality summary failed")
        return []
    part = fails_first_part(fails, ctx.zone)
    parts: list[Part] = [part] if part is not None else []
    return [*parts, assumptions_brief(reality)] if assumptions else parts


log = logging.getLogger(__name__)


def _measured(row_value: float | None, shown: str) -> Value:
    return shown if row_value is not None else "not yet"


def reality_parts(reality: Reality) -> list[Part]:
    """The table of assumptions and what the measured ones change."""
    tolerance = reality.tolerance
    rows: list[tuple[Value, ...]] = []
    for row in reality.rows:
        value = row.value
        flag = " ⚠️" if row.off(tolerance) else ""
        rows.append(
            (
                row.label,
                row.shown(row.plan),
                _measured(value, row.shown(value) if value is not None else ""),
                row.drift_text() + flag,
                row.basis(),
            )
        )
    parts: list[Part] = [
        Table(
            title="Assumptions",
            columns=("Assumption", "Plan", "Measured", "Drift", "Measured over"),
            rows=tuple(rows),
            numeric=(False, True, True, True, False),
        )
    ]
    changes = [r.sentence() for r in reality.rows if r.value is not None and r.effects]
    if changes:
        parts.append(Section("What the measured values change", tuple(changes)))
    return parts


def reality_cmd(args: list[str], ctx: Context) -> Reply:
    if args:
        raise extra_words("reality", args, "nothing after it", "reality")
    plan = live_plan(ctx)
    store = answering_store(ctx)
    if store is None:
        return Reply(
            title="Nothing measured here",
            parts=(Text("This front end has no database of samples to hold the plan against."),),
            notes=("Run it in Slack or in `capacity-bot shell`, which use CAPACITY_DB.",),
        )
    reality, fails = measured_now(store, plan, ctx.now)
    off = reality.off()
    peak = reality.peak
    notes: list[str] = [
        f"Off by more than ±{reality.tolerance:g}% (the plan's `reality.tolerance_pct`) is a"
        " p2 warning. A row needs"
        f" {MIN_DAYS} days of {FULL_DAY_HOURS}+ hours and {MIN_SAMPLES} samples"
        f" (growth 7 days); each value is the median of its days over {WINDOW.days} days.",
        Prose("`", Typed("whatif users 5000"), "` sizes a load with the measured values."),
    ]
    if isinstance(peak, Measured):
        notes.insert(
            0, f"Peak hour runs {peak.value:.2f}× the day's mean requests ({peak.days} days)."
        )
    verdict = (
        f"{len(off)} assumption{'s' if len(off) != 1 else ''} off" if off else "within tolerance"
    )
    return Reply(
        title=plan.titled(f"The plan against reality: {verdict}"),
        parts=(*reality_parts(reality), *reality_panel(None, fails, ctx.zone)),
        notes=tuple(notes),
    )


COMMANDS = (
    Command(
        "reality",
        "reality",
        "reality",
        "Each assumption of the plan against the measured value, the drift and what it changes",
        reality_cmd,
        reads=frozenset({"clock", "store"}),
    ),
)
