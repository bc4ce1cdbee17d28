"""Grouped monitor notifications -> outbox rows. Pure: no I/O, `now` passed in."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.domain.delivery import PayloadKind
from bot.domain.monitoring import Rule, RuleKind, Severity
from bot.domain.plan import Plan
from bot.domain.rules import format_duration
from bot.domain.tiers import gap_text
from bot.domain.values import Moment, Prose, fmt_value
from bot.monitor.group import Notification
from bot.monitor.routes import RouteName
from bot.notify.oneline import one_line
from bot.render.stored import dump_reply
from bot.reply import Reply, Text

__all__ = [
    "AlertLine",
    "Edit",
    "OutboxItem",
    "Payload",
    "alert_payload",
    "alert_reply",
    "decide",
    "digest_payload",
    "load_payload",
    "payload_reply",
    "reply_payload",
    "resolution_edit",
    "with_edit",
]

_ICON = {"p0": "🔴", "p1": "🟠", "p2": "🟡"}


class AlertLine(BaseModel):
    """Everything a message says about one alert; stored in the outbox payload so a later
    resolution can re-render the original message without the plan it was sent under."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    fired_at: str
    title: str
    metric: str
    unit: str = ""
    value: float | None
    op: str
    threshold: float
    held_seconds: float
    action: str | None = None
    runbook_id: str | None = None
    runbook_title: str | None = None
    severity: Severity = "p2"
    # The rule's kind ("stale" is worded differently) and why it resolved ("built").
    kind: RuleKind | Literal[""] = ""
    reason: str | None = None


class Edit(BaseModel):
    """The original firing message as it should read once `resolved` alerts cleared: its
    Reply (`bot/render/stored.py`), which the Slack poster renders when it edits; an edit
    queued before that holds the Block Kit and text it was rendered to then."""

    model_config = ConfigDict(frozen=True)

    resolved: tuple[str, ...]  # rule ids shown resolved
    reply: dict[str, Any] | None = None
    text: str = ""
    blocks: list[dict[str, Any]] = []


class Payload(BaseModel):
    """What an outbox row says, as data: the message's Reply (`reply`, stored by
    `bot/render/stored.py`) beside its typed alerts; each route's poster renders it for
    its medium when it sends. Rows queued before hold Slack's `text` and `blocks` already
    rendered (and no `reply`): the Slack poster posts those as they are."""

    model_config = ConfigDict(frozen=True)

    kind: PayloadKind
    channel: str
    alerts: tuple[AlertLine, ...]
    at: str
    reply: dict[str, Any] | None = None
    text: str = ""
    blocks: list[dict[str, Any]] = []
    # A resolution's edit of its original message, composed when it resolved.
    edit: Edit | None = None
    # The built tier a resolution by building speaks of (rows from before: unknown).
    built_tier: int | None = None


@dataclass(frozen=True)
class OutboxItem:
    dedup_key: str
    kind: PayloadKind
    payload: Payload
    # (rule_id, fired_at) of each alert a firing message announces.
    alerts: tuple[tuple[str, str], ...]
    # slack, pagerduty or email (bot/monitor/routes.py)
    route: RouteName = "slack"

    @property
    def payload_json(self) -> str:
        return self.payload.model_dump_json()


def _fired(alert: AlertLine, zone: tzinfo) -> Moment | None:
    try:
        return Moment(datetime.fromisoformat(alert.fired_at), zone)
    except ValueError:  # "-": an event without a start
        return None


def _line(alert: AlertLine, kind: str, resolved_at: datetime | None, zone: tzinfo) -> Prose:
    if resolved_at is not None:
        return Prose(
            f"✅ ~{alert.title}~ — resolved ",
            Moment(resolved_at, zone),
            f" (`{alert.metric}` now {fmt_value(alert.value, alert.unit)})",
        )
    icon = "⚪" if kind == "nodata" else _ICON.get(alert.severity, "🟡")
    held = format_duration(int(alert.held_seconds))
    value = fmt_value(alert.value, alert.unit)
    threshold = f"threshold {alert.op} {fmt_value(alert.threshold, alert.unit)}"
    fired = _fired(alert, zone)
    since: tuple[str | Moment, ...] = (" since ", fired) if fired and kind != "nodata" else ()
    if alert.kind == "stale":
        state = Prose(f"no `{alert.metric}` sample for {held}; the last was {value}")
    elif kind == "nodata":
        state = Prose(
            f"`{alert.metric}` has sent no data recently; last value {value} ({threshold})"
        )
    else:
        state = Prose(f"`{alert.metric}` is {value} ({threshold}), held for {held}", *since)
    lines: list[str] = [f"{icon} **{alert.title}** [{alert.severity}]", state]
    if alert.action:
        lines.append(f"Action: {alert.action}")
    if alert.runbook_id:
        lines.append(f"Runbook: {alert.runbook_title} — `/capacity scenario {alert.runbook_id}`")
    return Prose.joined("\n", lines)


_TITLES = {
    "firing": ("Capacity warning", "Capacity warnings"),
    "reminder": ("Still firing", "Still firing"),
    "resolved": ("Resolved", "Resolved"),
    "nodata": ("No data", "No data"),
}


def alert_reply(
    kind: str,
    alerts: Sequence[AlertLine],
    resolved: Mapping[str, datetime] | None = None,
    zone: tzinfo = UTC,
) -> Reply:
    """The message for `alerts`; `resolved` (rule_id -> when) marks alerts that cleared."""
    resolved = resolved or {}
    one, many = _TITLES.get(kind, ("Capacity alert", "Capacity alerts"))
    open_count = sum(1 for a in alerts if a.rule_id not in resolved)
    if kind == "firing" and alerts and open_count == 0:
        title = "Resolved: " + (alerts[0].title if len(alerts) == 1 else f"{len(alerts)} alerts")
    elif len(alerts) == 1:
        title = f"{one}: {alerts[0].title}"
    else:
        title = f"{many}: {len(alerts)} alerts"
    parts = tuple(Text(_line(a, kind, resolved.get(a.rule_id), zone)) for a in alerts)
    notes = (
        "`/capacity triggers` shows every rule's state; `/capacity silence RULE 2h` mutes one.",
    )
    return Reply(title=title, parts=parts, notes=notes)


def reply_payload(
    kind: PayloadKind,
    channel: str,
    reply: Reply,
    at: datetime,
    alerts: Sequence[AlertLine] = (),
    built_tier: int | None = None,
) -> Payload:
    """`reply` as an outbox payload: kept as data, rendered by the poster that sends it."""
    return Payload(
        kind=kind,
        channel=channel,
        alerts=tuple(alerts),
        at=at.isoformat(),
        reply=dump_reply(reply),
        built_tier=built_tier,
    )


def alert_payload(
    kind: PayloadKind,
    channel: str,
    alerts: Sequence[AlertLine],
    at: datetime,
    resolved: Mapping[str, datetime] | None = None,
    zone: tzinfo = UTC,
) -> Payload:
    return reply_payload(kind, channel, alert_reply(kind, alerts, resolved, zone), at, alerts)


def _resolution_text(alert: AlertLine, built: int | None, at: datetime, zone: tzinfo) -> Prose:
    return Prose(_resolution_words(alert, built), " Resolved ", Moment(at, zone), ".")


def _resolution_words(alert: AlertLine, built: int | None) -> str:
    held = format_duration(int(alert.held_seconds))
    if alert.reason == "built":
        tier = f"Tier {built}" if built is not None else "Its tier"
        return (
            f"{tier} is built, so this trigger no longer applies "
            f"(`{alert.metric}` {fmt_value(alert.value, alert.unit)}, open for {held})."
        )
    if alert.reason == "unwatched":
        return f"No active rule watches `{alert.metric}` any more."
    if alert.kind == "stale":
        return f"`{alert.metric}` is reporting again: {fmt_value(alert.value, alert.unit)}."
    return (
        f"`{alert.metric}` is back to {fmt_value(alert.value, alert.unit)} "
        f"(threshold {alert.op} {fmt_value(alert.threshold, alert.unit)}) "
        f"after {held}."
    )


def resolution_reply(
    alert: AlertLine, at: datetime, built: int | None = 0, zone: tzinfo = UTC
) -> Reply:
    return Reply(
        title=f"Resolved: {alert.title}",
        parts=(Text(_resolution_text(alert, built, at, zone)),),
    )


def _resolution_payload(
    alert: AlertLine, channel: str, at: datetime, built: int = 0, zone: tzinfo = UTC
) -> Payload:
    reply = resolution_reply(alert, at, built, zone)
    return reply_payload("resolved", channel, reply, at, (alert,), built_tier=built)


def payload_reply(payload: Payload, zone: tzinfo = UTC) -> Reply:
    """An alert payload's message as a Reply again, from its typed alerts: what a route
    that does not take Block Kit (email) renders in its own medium."""
    if payload.kind == "resolved" and payload.alerts:
        at = datetime.fromisoformat(payload.at)
        return resolution_reply(payload.alerts[0], at, payload.built_tier, zone)
    if payload.kind in ("firing", "reminder", "nodata"):
        return alert_reply(payload.kind, payload.alerts, zone=zone)
    return Reply(title=f"capacity-bot {payload.kind.replace('_', ' ')}")


def decide(
    notifications: Sequence[Notification],
    rules: Sequence[Rule],
    plan: Plan,
    channel: str,
    now: datetime,
    zone: tzinfo = UTC,
) -> list[OutboxItem]:
    """One outbox row per notification; each names metric, value, threshold, duration,
    the plan's action and the runbook that fits."""
    by_id = {r.id: r for r in rules}
    scenarios = {s.id: s.title for s in plan.scenarios}
    items: list[OutboxItem] = []
    for note in notifications:
        lines = []
        # Several users triggers at once: the highest states the gap, the rest as written.
        top = max(
            (r.tier or 0 for e in note.events if (r := by_id.get(e.rule_id)) and _users(r, plan)),
            default=None,
        )
        if note.kind not in ("firing", "reminder"):
            top = None  # a resolution names the trigger; its text says why it resolved
        for event in note.events:
            rule = by_id.get(event.rule_id)
            if rule is None:
                continue
            lines.append(
                AlertLine(
                    rule_id=rule.id,
                    fired_at=event.fired_at.isoformat() if event.fired_at else "-",
                    title=_title(rule, plan, event.value, top),
                    metric=rule.rule.metric,
                    unit=plan.unit(rule.rule.metric),
                    value=event.value,
                    op=rule.rule.op,
                    threshold=rule.rule.value,
                    held_seconds=event.held_for_seconds,
                    action=rule.action,
                    runbook_id=rule.runbook,
                    runbook_title=scenarios.get(rule.runbook) if rule.runbook else None,
                    severity=rule.severity,
                    kind=rule.kind,
                    reason=event.reason,
                )
            )
        if not lines:
            continue
        if note.kind == "resolved":
            payload = _resolution_payload(lines[0], channel, now, plan.built_tier, zone)
        else:
            payload = alert_payload(note.kind, channel, lines, now, zone=zone)
        announced = tuple((a.rule_id, a.fired_at) for a in lines) if note.kind == "firing" else ()
        items.append(OutboxItem(note.dedup_key, note.kind, payload, announced))
    return items


def resolution_edit(
    original: Payload, resolved: Mapping[str, datetime], zone: tzinfo = UTC
) -> Edit:
    """The original firing message with `resolved` (rule id -> when) marked as cleared."""
    again = alert_reply(original.kind, original.alerts, resolved, zone)
    return Edit(resolved=tuple(sorted(resolved)), reply=dump_reply(again))


def with_edit(item: OutboxItem, edit: Edit) -> OutboxItem:
    return replace(item, payload=item.payload.model_copy(update={"edit": edit}))


def _users(rule: Rule, plan: Plan) -> bool:
    return rule.kind == "tier_trigger" and bool(rule.tier) and rule.rule.metric == plan.users_metric


def _title(rule: Rule, plan: Plan, value: float | None, top: int | None) -> str:
    """A users trigger speaks of the gap between the tier demanded and the tier built."""
    if _users(rule, plan) and rule.tier is not None and rule.tier == top:
        return gap_text(plan, rule.tier, plan.built_tier, value)
    # A title is one line on every route (a subject, a summary, a bold line): a plan's
    # names may hold line separators.
    return one_line(rule.title, 300)


def load_payload(text: str) -> Payload:
    return Payload.model_validate(json.loads(text))


def digest_payload(reply: Reply, channel: str, now: datetime) -> Payload:
    """The weekly digest as an outbox payload (it carries no alerts to edit later)."""
    return reply_payload("digest", channel, reply, now)
