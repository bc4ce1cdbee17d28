"""The weekly digest as a Reply: pure, every input passed in (`DigestInput`).

Numbers first (`bot.digest.headroom`), text second (`build_digest`), so the figures
can be tested without parsing prose. Every table and list is capped so the digest fits
Block Kit's limits whatever the data holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from bot.digest.data import SAMPLE_WINDOW, WEEK, AlertRecord, ChangeRecord, DigestInput
from bot.digest.headroom import (
    RuleHeadroom,
    Trends,
    current_tier,
    headroom,
    latest_value,
    parse_lead_time,
    rule_headroom,
)
from bot.digest.naming import covers, span_words, title_label
from bot.digest.reality_panel import reality_parts
from bot.digest.spend_view import digest_cost_parts
from bot.domain.components import change_sides
from bot.domain.costs import tier_costs, tier_label
from bot.domain.money import fmt_money, fmt_percent
from bot.domain.monitoring import Sample, require_aware
from bot.domain.plan import Plan
from bot.domain.rules import format_duration
from bot.domain.story import reached_headline
from bot.domain.tiers import budget_words, gap_action, next_trigger
from bot.domain.values import Moment, Prose, Value, fmt_moment, fmt_value
from bot.monitor.forecast import Trend, stat_for
from bot.reply import Facts, Part, Reply, Section, Table, Text

__all__ = [
    "MAX_CELL",
    "MAX_ITEMS",
    "MAX_ROWS",
    "ChartData",
    "build_digest",
    "chart_data",
]

# Block Kit: a section's text is at most 3,000 characters and a message 50 blocks; these
# caps keep every part well inside that whatever the week held.
MAX_ROWS = 20
MAX_ITEMS = 15
MAX_CELL = 150
MAX_CHART_METRICS = 6


def _clip(text: str, limit: int = MAX_CELL) -> str:
    if isinstance(text, Prose) and len(text) <= limit:
        return text  # keeps its moments
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date(at: datetime, zone: tzinfo) -> str:
    return fmt_moment(at, zone, "day")


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        seconds -= seconds % 3600  # days and hours are enough for a digest
    elif seconds >= 3600:
        seconds -= seconds % 60
    return format_duration(seconds)


def _table(
    columns: tuple[str, ...],
    rows: Sequence[tuple[Value, ...]],
    title: str = "",
    numeric: tuple[bool, ...] = (),
    total: int | None = None,
) -> Table:
    """At most MAX_ROWS rows, the last saying how many more; `total` when `rows` is a prefix."""
    total = len(rows) if total is None else total
    shown: list[tuple[Value, ...]] = [
        tuple(_clip(c) if isinstance(c, str) else c for c in row) for row in rows[:MAX_ROWS]
    ]
    if total > MAX_ROWS:
        more = total - (MAX_ROWS - 1)
        filler = ("",) * (len(columns) - 1)
        shown = [*shown[: MAX_ROWS - 1], (f"… and {more:,} more", *filler)]
    return Table(columns=columns, rows=tuple(shown), title=title, numeric=numeric)


def _section(heading: str, items: Sequence[str]) -> Section:
    shown = [_clip(i) for i in items]
    if len(shown) > MAX_ITEMS:
        more = len(shown) - (MAX_ITEMS - 1)
        shown = [*shown[: MAX_ITEMS - 1], f"… and {more:,} more"]
    return Section(heading, tuple(shown))


def _named(plan: Plan, number: int) -> str:
    """`Tier 1 (10x Growth)`: a tier's name that can sit before a colon."""
    return f"Tier {number} ({plan.tier(number).name})" if number else tier_label(plan, 0)


def _headroom_row(h: RuleHeadroom, plan: Plan, zone: tzinfo) -> tuple[Value, ...]:
    unit = plan.unit(h.rule.metric)
    now_text = "no data" if h.value is None else fmt_value(h.value, unit)
    threshold = f"{h.rule.op} {fmt_value(h.rule.value, unit)}"
    if h.distance is None:
        room = "—"
    elif h.status == "crossed":
        room = "crossed"
    else:
        room = fmt_value(h.distance, unit)
        if h.distance_pct is not None:
            room += f" ({h.distance_pct:.0f}%)"
    trend: str
    if h.trend is None:
        trend = h.status if h.status in ("no data", "not enough data") else "—"
    else:
        trend = f"{fmt_value(h.trend.per_week, unit, sign=True)}/wk"
    when: Value
    if h.status == "crossing" and h.crosses_at is not None:
        when = f"{fmt_moment(h.crosses_at, zone, 'day')} (from daily {stat_for(h.rule)})"
    elif h.status == "crossed":
        when = "already crossed"
    else:
        when = h.status
    return (h.text, now_text, threshold, room, trend, when)


def _tier_part(
    inp: DigestInput, tier: int, users: float | None, trends: Trends
) -> tuple[str, list[Part]]:
    plan = inp.plan
    label = tier_label(plan, tier)
    headline = reached_headline(plan, label, users, "" if users is None else fmt_value(users))
    headline += f" Built: {tier_label(plan, plan.built_tier)}."
    if tier > plan.built_tier:
        action = gap_action(plan, tier, plan.built_tier)
        headline += f" {action[0].upper()}{action[1:]}."
    watch = next_trigger(plan, tier, {m: v for m, (v, _) in inp.latest.items()})
    tier = max(tier, plan.built_tier)
    if tier >= plan.tier_count:
        return headline, [Text("This is the plan's largest tier: there is no next tier to watch.")]
    rows = headroom(inp, tier + 1, trends)
    if not rows:
        return headline, [Text(f"{tier_label(plan, tier + 1)} has no metric triggers to watch.")]
    table = _table(
        ("Trigger", "Now", "Threshold", "Headroom", "Trend", "Crosses"),
        [_headroom_row(h, plan, inp.zone) for h in rows],
        title=f"Headroom to {_named(plan, tier + 1)}",
        numeric=(False, True, True, True, True, False),
    )
    mine = [_headroom_row(h, plan, inp.zone) for h in rows if watch and h.text == watch.text]
    said = [Text(f"Next trigger to watch: {_watch_words(r)}.") for r in mine[:1]]
    return headline, [table, *said]


def _watch_words(row: tuple[Value, ...]) -> str:
    """`MAU > 80,000, now 9,000 users, not approaching`, from a headroom row."""
    text, now, crosses = row[0], row[1], row[5]
    if now == "no data":
        return f"{text} (no data yet)"
    if crosses == "not enough data":
        return f"{text}, now {now} (too few days of data for a trend yet)"
    if crosses in ("not approaching", "already crossed"):
        return f"{text}, now {now}, {crosses}"
    return f"{text}, now {now}, forecast to cross {crosses}"


def _cost_part(inp: DigestInput, tier: int) -> Facts:
    tier = inp.plan.built_tier  # the budget in force is the built tier's
    budget = tier_costs(inp.plan)[tier].total
    spent = inp.cost_this_month
    if spent is None:
        latest = latest_value(inp, inp.plan.cost_metric)
        spent = Decimal(str(round(latest, 2))) if latest is not None else None
    if spent is None:
        return Facts(
            (
                ("Cost this month", "no data"),
                ("Budget", f"{budget_words(inp.plan, tier)} (built Tier {tier})"),
            )
        )
    pairs = [
        ("Cost this month", fmt_money(spent)),
        ("Budget", f"{budget_words(inp.plan, tier)} (built Tier {tier})"),
    ]
    if budget > 0:
        used = spent * 100 / budget
        over = spent - budget
        verdict = (
            f"{fmt_percent(used)} used, over by {fmt_money(over)}"
            if over > 0
            else f"{fmt_percent(used)} used, {fmt_money(-over)} left"
        )
        pairs.append(("Against budget", verdict))
    return Facts(tuple(pairs))


def _alert_parts(inp: DigestInput) -> list[Part]:
    zone = inp.zone
    parts: list[Part] = []
    week: list[AlertRecord] = sorted(inp.alerts_fired_resolved, key=lambda a: a.fired_at)
    if week:
        rows = [
            (
                a.title,
                Moment(a.fired_at, zone, "short"),
                Moment(a.resolved_at, zone, "short") if a.resolved_at else "still firing",
                _span(a.resolved_at - a.fired_at) if a.resolved_at else "—",
            )
            for a in week[:MAX_ROWS]
        ]
        parts.append(
            _table(
                ("Alert", "Fired", "Resolved", "Lasted"),
                rows,
                title=f"Alerts {covers(inp)[1]}",
                total=len(week),
            )
        )
    else:
        parts.append(Text(Prose("No alerts fired or resolved ", covers(inp)[1], ".")))
    firing = sorted(inp.still_firing, key=lambda a: a.fired_at)
    if firing:
        since = [
            (a, Moment(a.fired_at, zone, "short"), _span(inp.now - a.fired_at)) for a in firing
        ]
        items = [Prose(f"{a.title}: firing since ", at, f" ({span})") for a, at, span in since]
        parts.append(_section("Still firing", items))
    return parts


def _change_parts(inp: DigestInput) -> list[Part]:
    changes: list[ChangeRecord] = sorted(inp.changes, key=lambda c: c.date)
    if not changes:
        return [Text(Prose("No changes logged ", covers(inp)[1], "."))]
    priced = [c.cost_change for c in changes if c.cost_change is not None]
    total = sum(priced, Decimal(0))
    rows = [
        (
            c.date.isoformat(),
            c.change,
            "—" if c.cost_change is None else f"{fmt_money(c.cost_change, sign=True)}/mo",
        )
        for c in changes[:MAX_ROWS]
    ]
    summary = f"{len(changes):,} change(s) logged, cost change {fmt_money(total, sign=True)}/mo"
    if len(priced) != len(changes):
        summary += f" ({len(priced):,} of {len(changes):,} priced)"
    return [
        Text(summary + "."),
        _table(
            ("Date", "Change", "Cost change"),
            rows,
            title=f"Changes {covers(inp)[1]}",
            numeric=(False, False, True),
            total=len(changes),
        ),
    ]


def _next_steps(inp: DigestInput, tier: int, trends: Trends) -> list[Part]:
    plan = inp.plan
    zone = inp.zone
    parts: list[Part] = []
    tier = max(tier, plan.built_tier)
    if tier < plan.tier_count:
        nxt = tier + 1
        due = [h for h in headroom(inp, nxt, trends) if h.within_lead_time]
        if due:
            reasons = [
                f"{h.text}: "
                + (
                    "already crossed"
                    if h.status == "crossed" or h.crosses_at is None
                    else f"forecast {_date(h.crosses_at, zone)}"
                )
                + f", lead time {_span(h.lead_time)}"
                for h in due
            ]
            parts.append(_section(f"Start {_named(plan, nxt)}", reasons))
            cost = tier_costs(plan)[nxt]
            if cost.changes:
                amounts, sides = change_sides(plan, nxt)
                parts.append(
                    _table(
                        ("Component", "Now", "Change to", "Cost change"),
                        [
                            (c.component, *side, f"{fmt_money(c.cost_change, sign=True)}/mo")
                            for c, side in zip(cost.changes, sides, strict=True)
                        ],
                        title=f"{_named(plan, nxt)} infrastructure changes",
                        numeric=(False, amounts, amounts, True),
                    )
                )
            parts.append(Text(f"**Total new cost**: {cost.summary()}"))
        else:
            parts.append(
                Text(
                    f"Nothing to start yet for {_named(plan, nxt)}: no trigger is forecast "
                    "to cross within its lead time."
                )
            )
    scaling = []
    now = require_aware(inp.now)
    for trigger in plan.scaling_triggers:
        lead = parse_lead_time(trigger.lead_time)
        if lead is None:
            continue
        h = rule_headroom(inp, trigger.text, trigger.rule, now, trends)
        if h.status == "crossed" or (h.crosses_at is not None and h.crosses_at - now <= lead):
            when = (
                "already past"
                if h.status == "crossed"
                else f"by {_date(h.crosses_at or now, zone)}"
            )
            scaling.append(
                f"{trigger.action} ({trigger.text}, {when}; lead time {trigger.lead_time})"
            )
    if scaling:
        parts.append(_section("Scaling actions due", scaling))
    return parts


def build_digest(inp: DigestInput) -> Reply:
    """The weekly digest: tier and headroom, cost, alerts, changes, what to do next."""
    now = require_aware(inp.now)
    tier, users = current_tier(inp)
    trends: Trends = {}
    headline, tier_parts = _tier_part(inp, tier, users, trends)
    week_start = inp.since or now - WEEK
    name, _ = covers(inp)
    parts: list[Part] = [
        Text(headline),
        *tier_parts,
        *digest_cost_parts(inp, _cost_part(inp, tier)),
        *_alert_parts(inp),
        *_change_parts(inp),
        *reality_parts(inp.reality, inp.fails, inp.zone),
        *_next_steps(inp, tier, trends),
    ]
    notes: list[str] = [
        Prose(
            span_words(name, week_start, now, inp.zone),
            f". Trends are least-squares fits over {SAMPLE_WINDOW.days} days of daily peaks (for"
            " a `>` rule) or daily lows (for a `<` rule), like Prometheus predict_linear.",
        )
    ]
    if inp.chart_missing:
        notes.append("Chart missing: it could not be drawn or uploaded this time.")
    return Reply(
        title=f"{inp.plan.titled(name)}, {title_label(name, now, inp.zone)}",
        parts=tuple(parts),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class ChartData:
    """What `draw_chart` needs: series, their thresholds and trends (at most six metrics)."""

    series: dict[str, list[Sample]]
    thresholds: dict[str, float]
    forecasts: dict[str, Trend]


def chart_data(inp: DigestInput) -> ChartData:
    """The next tier's trigger metrics that have samples, with thresholds and trends."""
    tier, _ = current_tier(inp)
    tier = max(tier, inp.plan.built_tier)
    rows = headroom(inp, tier + 1) if tier < inp.plan.tier_count else []
    series: dict[str, list[Sample]] = {}
    thresholds: dict[str, float] = {}
    forecasts: dict[str, Trend] = {}
    start = require_aware(inp.now) - SAMPLE_WINDOW
    for h in rows:
        metric = h.rule.metric
        samples = [s for s in inp.samples.get(metric, ()) if start <= s.at <= inp.now]
        if metric in series or not samples:
            continue
        if len(series) == MAX_CHART_METRICS:
            break
        series[metric] = samples
        thresholds[metric] = h.rule.value
        if h.trend is not None:
            forecasts[metric] = h.trend
    return ChartData(series, thresholds, forecasts)
