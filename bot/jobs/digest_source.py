"""The digest's data, gathered from the stores: samples, alerts of the week, changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.deps import Deps
from bot.digest.data import SAMPLE_WINDOW, AlertRecord, ChangeRecord, DigestInput
from bot.monitor.rules_from_plan import rules_from_plan

__all__ = ["StoreDigestSource"]

WEEK = timedelta(days=7)


class StoreDigestSource:
    """`DigestSource` over the bot's database; `digest_input(now)` reads, never writes."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def digest_input(self, now: datetime) -> DigestInput:
        plan, store = self.deps.plan, self.deps.store
        zone = self.deps.settings.zone
        metrics = {m.name for m in plan.metrics} | {r.metric for _, r in plan.metric_rules()}
        latest = {}
        samples = {}
        for metric in sorted(metrics):
            newest = store.metrics.latest(metric)
            if newest is not None:
                latest[metric] = (newest.value, newest.at)
                samples[metric] = store.metrics.hourly_means(metric, now - SAMPLE_WINDOW, now)
        titles = {rule.id: rule.title for rule in rules_from_plan(plan)}
        week_start = now - WEEK
        week = [
            AlertRecord(
                titles.get(m.rule_id, m.rule_id), datetime.fromisoformat(m.fired_at), m.resolved_at
            )
            for m in store.alerts.messages_since(week_start)
        ]
        firing = [
            AlertRecord(titles.get(rule_id, rule_id), state.fired_at or now)
            for rule_id, state in sorted(store.alerts.states().items())
            if state.status == "firing"
        ]
        local_start = week_start.astimezone(zone).date()
        changes = [
            ChangeRecord(c.date, c.change, c.cost_change)
            for c in store.changes.since(local_start)
            if c.deleted_at is None
        ]
        return DigestInput(
            plan=plan,
            now=now,
            zone=zone,
            latest=latest,
            samples=samples,
            alerts_fired_resolved=week,
            still_firing=firing,
            changes=changes,
        )
