"""The route and compose stages of the pipeline (bot/notify/pipeline.py): each message on
its severity's route, then as outbox items. Pure.

Slack gets grouped messages (a bad minute is one message) with reminders; PagerDuty gets
one event per alert (its dedup key is the alert) and email one message per group; neither
gets reminders: an open incident escalates on its own and an email stays in the inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from bot.domain.monitoring import Event, Rule
from bot.domain.plan import Plan
from bot.monitor.group import Notification, group_events
from bot.monitor.routes import ROUTE_NAMES, Destination, Routes
from bot.notify.compose import OutboxItem, alert_reply, decide
from bot.render.blocks import render_message

__all__ = ["compose_routed", "route_notifications"]


def route_notifications(
    order: Sequence[Event],
    notifications: Sequence[Notification],
    rules: Sequence[Rule],
    routes: Routes,
) -> list[tuple[Destination, list[Notification]]]:
    """Each message's events to their severity's route, the routes in the order their first
    event came (`order`): Slack and email get the messages grouped as they are within the
    route, PagerDuty one per alert (its dedup key is the alert), reminders Slack only."""
    by_id = {r.id: r for r in rules}
    grouped = {id(e) for n in notifications for e in n.events}
    buckets: dict[Destination, list[Event]] = {}
    for event in order:
        if id(event) not in grouped:
            continue
        rule = by_id.get(event.rule_id)
        dest = routes.for_rule(rule) if rule else routes.by_severity["p1"]
        if dest.route != "slack" and event.kind == "reminder":
            continue
        buckets.setdefault(dest, []).append(event)
    routed = []
    for dest, mine in buckets.items():
        if dest.route == "pagerduty":
            routed.append((dest, [n for e in mine for n in group_events([e], rules)]))
        else:
            routed.append((dest, group_events(mine, rules)))
    return routed


def compose_routed(
    routed: Sequence[tuple[Destination, Sequence[Notification]]],
    rules: Sequence[Rule],
    plan: Plan,
    now: datetime,
    zone: tzinfo = UTC,
) -> list[OutboxItem]:
    """The outbox items of each route's messages. `zone` is the team's (CAPACITY_TIMEZONE):
    the fallback text's times are in it."""
    items: list[OutboxItem] = []
    for dest, notes in routed:
        for item in decide(notes, rules, plan, dest.target, now, zone):
            items.append(replace(_say_fallback(item, dest, zone), route=dest.route))
    return items


def _say_fallback(item: OutboxItem, dest: Destination, zone: tzinfo) -> OutboxItem:
    """A warning that came to Slack because its own route is not configured says so."""
    if not dest.fallback or item.kind not in ("firing", "reminder"):
        return item
    reply = alert_reply(item.kind, item.payload.alerts, zone=zone)
    severities = sorted({a.severity for a in item.payload.alerts})
    note = (
        f"{ROUTE_NAMES[dest.wanted]} is not configured for {'/'.join(severities)} alerts, "
        "so this came here instead: `/capacity status` says how to set it up."
    )
    shown = render_message(replace(reply, notes=(*reply.notes, note)))
    return replace(item, payload=item.payload.model_copy(update=shown))
