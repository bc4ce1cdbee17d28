"""The live figures an exported document shows: latest samples and the stored change log."""

from __future__ import annotations

from datetime import datetime

from bot.domain.money import fmt_number
from bot.domain.plan import ChangeLogEntry, Plan
from bot.planio.doc_write import Live
from store import Store

__all__ = ["live_figures"]


def _value(value: float, unit: str) -> str:
    text = fmt_number(round(value, 2))
    if unit == "$":
        return f"${text}"
    return f"{text}{unit}" if unit in ("%", "ms", "GB", "s") else f"{text} {unit}".strip()


def live_figures(plan: Plan, store: Store, now: datetime) -> Live:
    """Latest sample of each plan metric (with its time) and every stored change."""
    samples = []
    for metric in plan.metrics:
        latest = store.metrics.latest(metric.name)
        if latest is not None:
            at = latest.at.strftime("%Y-%m-%d %H:%M UTC")
            samples.append((metric.description, f"{_value(latest.value, metric.unit)} ({at})"))
    changes = tuple(
        ChangeLogEntry(date=c.date.isoformat(), change=c.change, reason=c.reason, impact=c.impact)
        for c in reversed(store.changes.all())
    )
    return Live(today=now.date().isoformat(), samples=tuple(samples), changes=changes or None)
