"""Messages of a plan reload: the diff for the alerts channel, and the alerts it closes. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo

from bot.domain.monitoring import AlertState, Rule
from bot.domain.plan import Plan
from bot.monitor.routes import Routes
from bot.notify.compose import AlertLine, OutboxItem, reply_payload
from bot.reply import Moment, Person, Prose, Reply, Section, Text

__all__ = ["REMOVED", "diff_item", "removed_items"]

REMOVED = "removed by reload"


def diff_item(
    changes: Sequence[str],
    source: str,
    version: int,
    by: str | Person,
    channel: str,
    now: datetime,
    zone: tzinfo = UTC,
) -> OutboxItem:
    reply = Reply(
        title=f"Capacity plan reloaded (version {version})",
        parts=(
            Text(Prose(f"From `{source}`, by ", by, ", ", Moment(now, zone), ".")),
            Section("What changed", tuple(changes) or ("nothing the bot answers from",)),
        ),
        notes=("`/capacity plan` shows the plan's source and version.",),
    )
    payload = reply_payload("plan_reload", channel, reply, now)
    return OutboxItem(f"plan-reload:{version}:{now.isoformat()}", "plan_reload", payload, ())


def removed_items(
    old_rules: Sequence[Rule],
    kept: set[str],
    states: Mapping[str, AlertState],
    plan: Plan,
    routes: Routes,
    now: datetime,
    zone: tzinfo = UTC,
) -> list[OutboxItem]:
    """A resolution for each open alert whose rule the new plan no longer has, sent the way
    its alert went (Slack thread, PagerDuty resolve, email)."""
    items = []
    for rule in old_rules:
        state = states.get(rule.id)
        if rule.id in kept or state is None or state.fired_at is None:
            continue
        if state.status not in ("firing", "nodata"):
            continue
        fired = state.fired_at.isoformat()
        alert = AlertLine(
            rule_id=rule.id,
            fired_at=fired,
            title=rule.title,
            metric=rule.rule.metric,
            unit=plan.unit(rule.rule.metric),
            value=state.last_value,
            op=rule.rule.op,
            threshold=rule.rule.value,
            held_seconds=(now - state.fired_at).total_seconds(),
            severity=rule.severity,
        )
        reply = Reply(
            title=f"Resolved: {rule.title}",
            parts=(
                Text(
                    Prose(
                        f"Rule `{rule.id}` was {REMOVED} ",
                        Moment(now, zone),
                        ": the new plan no longer has it.",
                    )
                ),
            ),
        )
        dest = routes.for_rule(rule)
        payload = reply_payload("resolved", dest.target, reply, now, (alert,))
        key = f"{rule.id}:{fired}:removed"
        items.append(OutboxItem(key, "resolved", payload, (), route=dest.route))
    return items
