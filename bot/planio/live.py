"""The live figures an exported document shows: latest samples and the stored change log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from bot.domain.plan import ChangeLogEntry, Plan
from bot.domain.values import fmt_moment, fmt_value
from bot.planio.doc_verbatim import export_plan_document
from bot.planio.doc_write import Live
from store.changes import ChangeStore
from store.metrics import MetricStore
from store.tiers import TierStore

__all__ = ["Readings", "live_figures", "plan_document"]


class Readings(Protocol):
    """What the live figures are read from (`store.Store` is one)."""

    @property
    def metrics(self) -> MetricStore: ...

    @property
    def changes(self) -> ChangeStore: ...

    @property
    def tiers(self) -> TierStore: ...


def live_figures(plan: Plan, store: Readings, now: datetime, zone: tzinfo = UTC) -> Live:
    """Latest sample of each plan metric (with its time in the team's `zone`, named), every
    stored change, the built tier."""
    samples = []
    for metric in plan.metrics:
        latest = store.metrics.latest(metric.name)
        if latest is not None:
            at = fmt_moment(latest.at, zone)
            samples.append((metric.description, f"{fmt_value(latest.value, metric.unit)} ({at})"))
    changes = tuple(
        ChangeLogEntry(date=c.date.isoformat(), change=c.change, reason=c.reason, impact=c.impact)
        for c in reversed(store.changes.all())
    )
    return Live(
        today=now.astimezone(zone).date().isoformat(),
        samples=tuple(samples),
        changes=changes or None,
        built_tier=store.tiers.built_tier(),
    )


async def plan_document(
    plan: Plan, store: Readings, now: datetime, zone: tzinfo = UTC, source: str | None = None
) -> str:
    """The live document: figures read here (the store stays on the loop's thread), the
    rendering in a worker thread, so other requests are answered meanwhile. With the team's
    document `source`, that document comes back word for word."""
    live = live_figures(plan, store, now, zone)
    return await asyncio.to_thread(export_plan_document, plan, live, source)
