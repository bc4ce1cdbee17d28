"""The measured side of the plan, from one aggregate read of the store per role metric."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.monitoring import HourStat
from bot.domain.plan import Plan
from bot.domain.reality import Reality, assess, role_metrics
from bot.domain.reality_measure import WINDOW
from bot.monitor.fails_first import FailsFirst, fails_first
from bot.reality.queue_model import model_from_hours
from store.metrics import MetricStore

__all__ = ["MeasuredStore", "gather_hours", "measured_now", "reality_of"]


class MeasuredStore(Protocol):
    """What the measurement reads: the samples' store (the whole Store and a command's
    store both have it)."""

    @property
    def metrics(self) -> MetricStore: ...


def gather_hours(store: MeasuredStore, plan: Plan, now: datetime) -> dict[str, list[HourStat]]:
    """The hourly statistics of every role metric over the window: one aggregate query
    each, never the raw samples themselves."""
    since = now - WINDOW
    return {m: store.metrics.hourly_stats(m, since, now) for m in role_metrics(plan)}


def reality_of(store: MeasuredStore, plan: Plan, now: datetime) -> Reality:
    return assess(plan, gather_hours(store, plan, now))


def measured_now(store: MeasuredStore, plan: Plan, now: datetime) -> tuple[Reality, FailsFirst]:
    """The assumptions and what fails first, from one read of the hourly statistics."""
    hours = gather_hours(store, plan, now)
    model = model_from_hours(plan, hours, now)
    running = hours.get(plan.reality.metrics.containers) or ()
    load = model.load_at_target(plan, running[-1].mean) if running else None
    return assess(plan, hours), fails_first(plan, hours, now, p95_load=load)
