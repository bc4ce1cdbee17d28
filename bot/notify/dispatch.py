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
from bot.monitor.group import Notification, narrowed
from bot.monitor.routes import ROUTE_NAMES, Destination, Routes
from bot.notify.compose import OutboxItem, alert_reply, decide
from bot.render.stored import dump_reply

__all__ = ["compose_routed", "route_notifications"]


def route_notifications(
    notifications: Sequence[Notification],
    rules: Sequence[Rule],
    routes: Routes,
    order: Sequence[Event] = (),
) -> list[tuple[Destination, list[Notification]]]:
    """The group stage's messages on their routes, as grouped: a message whose alerts go to
    several routes is split, each route taking its share (`narrowed`); PagerDuty takes one
    message per alert (its dedup key is the alert), only Slack takes reminders. The routes
    come in the order of their first event in `order` (the events as announced), PagerDuty's
    alerts in that order too."""
    by_id = {r.id: r for r in rules}
    routed: dict[Destination, list[Notification]] = {}
    for note in notifications:
        shares: dict[Destination, list[Event]] = {}
        for event in note.events:
            rule = by_id.get(event.rule_id)
            dest = routes.for_rule(rule) if rule else routes.by_severity["p1"]
            if dest.route != "slack" and event.kind == "reminder":
                continue
            shares.setdefault(dest, []).append(event)
        for dest, events in shares.items():
            mine = routed.setdefault(dest, [])
            if dest.route == "pagerduty":
                mine.extend(narrowed(note, [e], rules) for e in events)
            else:
                mine.append(narrowed(note, events, rules))
    position = {id(e): n for n, e in enumerate(order)}

    def first(note: Notification) -> int:
        return min((position.get(id(e), len(position)) for e in note.events), default=0)

    for dest, notes in routed.items():
        if dest.route == "pagerduty":
            notes.sort(key=first)
    return sorted(routed.items(), key=lambda item: min(first(n) for n in item[1]))


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
    said = dump_reply(replace(reply, notes=(*reply.notes, note)))
    return replace(item, payload=item.payload.model_copy(update={"reply": said}))
