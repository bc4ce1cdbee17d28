"""A plan whose rules carry each severity, deps over it, and a worker with every route."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.domain.plan import Plan
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.deliver import Worker
from tests.support.metrics_helpers import Clock, make_deps

CHANNEL = "C_ALERTS"


def with_severities(plan: Plan, **severity: str) -> Plan:
    """The plan with threshold severities changed by metric: `error_rate_pct="p0"`."""
    thresholds = tuple(
        t.model_copy(update={"severity": severity.get(t.rule.metric, t.severity)})
        for t in plan.thresholds
    )
    return plan.model_copy(update={"thresholds": thresholds})


def routed_deps(clock: Clock, *, severities: dict[str, str], **settings: Any) -> Deps:
    deps = make_deps(clock, **settings)
    deps.plan = with_severities(deps.plan, **severities)
    return deps


async def hold(
    deps: Deps, worker: Worker, clock: Clock, metric: str, value: float, minutes: int
) -> None:
    """`value` every minute for `minutes`, evaluating and delivering each minute."""
    for _ in range(minutes):
        deps.store.metrics.add_batch([Sample(metric=metric, at=clock(), value=value)])
        evaluate_once(deps, clock())
        await worker.run_once()
        clock.advance(minutes=1)
