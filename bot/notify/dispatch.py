"""One evaluation's events -> outbox items, each on its severity's route. Pure.

Slack gets grouped messages (a bad minute is one message) with reminders; PagerDuty gets
one event per alert (its dedup key is the alert) and email one message per group; neither
gets reminders: an open incident escalates on its own and an email stays in the inbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain.monitoring import Event, Rule
from bot.domain.plan import Plan
from bot.monitor.group import Notification, group_events
from bot.notify.compose import OutboxItem, decide
from bot.notify.routes import Destination, Routes

__all__ = ["routed_items"]


def routed_items(
    events: Iterable[Event], rules: Sequence[Rule], plan: Plan, routes: Routes, now: datetime
) -> list[OutboxItem]:
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
        items += [
            replace(i, route=dest.route) for i in decide(notes, rules, plan, dest.target, now)
        ]
    return items
