"""One evaluation's events -> outbox items, each on its severity's route. Pure.

Slack gets grouped messages (a bad minute is one message) with reminders; PagerDuty gets
one event per alert (its dedup key is the alert) and email one message per group; neither
gets reminders: an open incident escalates on its own and an email stays in the inbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from bot.domain.monitoring import Event, Rule
from bot.domain.plan import Plan
from bot.monitor.group import Notification, group_events
from bot.monitor.routes import ROUTE_NAMES, Destination, Routes
from bot.notify.compose import OutboxItem, alert_reply, decide
from bot.render.blocks import render_message

__all__ = ["routed_items"]


def routed_items(
    events: Iterable[Event],
    rules: Sequence[Rule],
    plan: Plan,
    routes: Routes,
    now: datetime,
    zone: tzinfo = UTC,
) -> list[OutboxItem]:
    """`zone` is the team's (CAPACITY_TIMEZONE): the fallback text's times are in it."""
    by_id = {r.id: r for r in rules}
    buckets: dict[Destination, list[Event]] = {}
    for event in events:
        rule = by_id.get(event.rule_id)
        dest = routes.for_rule(rule) if rule else routes.by_severity["p1"]
        if dest.route != "slack" and event.kind == "reminder":
            continue
        buckets.setdefault(dest, []).append(event)
    items: list[OutboxItem] = []
    for dest, mine in buckets.items():
        notes: list[Notification]
        if dest.route == "pagerduty":
            notes = [n for e in mine for n in group_events([e], rules)]
        else:
            notes = group_events(mine, rules)
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
