"""The queue model as commands use it: fitted to the team's hours in the store when there
are enough, else built from the plan's figures with the spread assumed; the built tier's
p95 target; and the lines every answer carries (where the service time came from, the
back-test's error, a caveat past what was measured)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.backtest import (
    BEYOND_MEASURED,
    FIT_DAYS,
    MIN_FIT_DAYS,
    BackTest,
    Fit,
    HourFigures,
    NotEnough,
    backtest,
)
from bot.domain.money import fmt_number
from bot.domain.plan import Plan
from bot.domain.queue import ServiceTime, Shape, response_quantile, rps_at_target
from bot.domain.reality_measure import Hours
from bot.domain.values import fmt_value
from bot.domain.whatif import P95Model
from store.metrics import MetricStore

__all__ = [
    "WINDOW",
    "ModelSettings",
    "P95Target",
    "QueueModel",
    "fmt_ms",
    "hour_figures",
    "model_from_hours",
    "model_settings",
    "p95_target",
    "read_hours",
    "roles",
]

BACKTEST_DAYS = 14
# The back-test's first day is fitted on the 14 before it: 28 days, reality's window.
WINDOW = timedelta(days=BACKTEST_DAYS + FIT_DAYS)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s)\b", re.IGNORECASE)


def fmt_ms(seconds: float) -> str:
    """`631ms`, `1,240ms`; `overloaded` when the queue never drains."""
    if not math.isfinite(seconds):
        return "overloaded"
    return fmt_value(round(seconds * 1000), "ms")


@dataclass(frozen=True)
class P95Target:
    seconds: float
    tier: int
    text: str  # as the plan writes it: "< 500ms"


def p95_target(plan: Plan, tier: int) -> P95Target | None:
    """The tier's API p95 target from the plan's performance targets, if it sets one."""
    for target in plan.targets:
        name = target.metric.lower()
        if "p95" not in name or "database" in name or "db " in name:
            continue
        text = target.values[min(tier, len(target.values) - 1)]
        found = _DURATION.search(text)
        if found:
            value = float(found.group(1))
            return P95Target(value / 1000 if found.group(2).lower() == "ms" else value, tier, text)
    return None


def roles(plan: Plan) -> tuple[str, str, str, str]:
    """The metrics the model reads, as the plan names them: requests a second, mean and p95
    response, containers running."""
    m = plan.reality.metrics
    return (m.requests, m.mean_response, m.p95, m.containers)


class _HourStore(Protocol):
    @property
    def metrics(self) -> MetricStore: ...


def read_hours(store: _HourStore, plan: Plan, now: datetime) -> Hours:
    """The hourly statistics of the model's metrics over its window (rollups where the raw
    samples are gone): one aggregate query each."""
    return {m: store.metrics.hourly_stats(m, now - WINDOW, now) for m in roles(plan)}


def hour_figures(plan: Plan, hours: Hours) -> tuple[list[HourFigures], tuple[str, ...]]:
    """Every hour holding all four measurements, and the metrics with none at all."""
    names = roles(plan)
    series = {m: {h.hour: h.mean for h in hours.get(m, ())} for m in names}
    missing = tuple(m for m in names if not series[m])
    rps, mean, p95, containers = (series[m] for m in names)
    common = sorted(set(rps) & set(mean) & set(p95) & set(containers))
    return [HourFigures(h, rps[h], mean[h], p95[h], containers[h]) for h in common], missing


@dataclass(frozen=True)
class ModelSettings:
    """The plan's model settings (README "The queue, modelled"); the defaults where a
    team's document has no compute formula."""

    workers_per_container: int | None = None
    shape: Shape = "lognormal"
    scv: float = 1.0
    # Without a compute formula and a fit there is no mean of the plan's: 200 ms, the
    # template's, stands in (whatif hands the model its own service demand instead).
    avg_response: float = 0.2


def model_settings(plan: Plan) -> ModelSettings:
    formula = plan.formulas.compute
    if formula is None:
        return ModelSettings()
    return ModelSettings(
        formula.workers_per_container,
        formula.service_shape,
        1.0 if formula.service_shape == "exponential" else float(formula.service_scv),
        float(formula.avg_response_seconds),
    )


def history_workers(plan: Plan) -> int:
    """Workers in each container the measurements came from: the plan's workers per
    container, else its vCPUs per API container."""
    given = model_settings(plan).workers_per_container
    return given or max(1, round(plan.reality.vcpus_per_container))


@dataclass(frozen=True)
class QueueModel:
    """What an answer's p95 comes from, and what the answer must say about it."""

    service: ServiceTime
    measured: BackTest | None
    short: NotEnough | None  # why there is no back-test yet
    target: P95Target | None
    history_workers: int  # workers a measured container ran
    metrics: tuple[str, ...]  # what it reads, as the plan names them

    def workers(self, plan: Plan, vcpus: int) -> int:
        return model_settings(plan).workers_per_container or vcpus

    @property
    def fit(self) -> Fit | None:
        if self.measured is not None:
            return self.measured.fit
        return self.short.fit if self.short is not None else None

    def source_line(self, unfitted: str = "") -> str:
        """Where the service time came from; `unfitted` names the mean used without a fit
        (default: the plan's average response)."""
        s = self.service
        mean = fmt_ms(s.mean)
        fit = self.fit
        if fit is not None:
            spread = (
                "exponential, as the plan says (the mean is measured)"
                if s.shape == "exponential"
                else f"lognormal with scv {s.scv:.2f} (the shape is assumed; the mean and p95"
                " are measured)"
            )
            return (
                f"Service time fitted to {fmt_number(fit.hours)} hours over "
                f"{fmt_number(fit.days)} days: mean {mean}, {spread}."
            )
        source = unfitted or f"mean {mean} from the plan's average response"
        return (
            f"Service time: {source}, spread assumed ({s.shape}, scv {s.scv:.2f}): "
            "nothing measured yet."
        )

    def error_line(self) -> str:
        if self.measured is not None:
            checks = self.measured.checks
            days = f"{len(checks)} day{'s' if len(checks) != 1 else ''}"
            return (
                f"Model error over the last {days}: median "
                f"{self.measured.median_error * 100:.0f}%, worst "
                f"{self.measured.worst_error * 100:.0f}%."
            )
        short = self.short or NotEnough(0, 0, self.metrics)
        need = (
            f"No back-test yet: the model needs hourly {', '.join(self.metrics)} for at least "
            f"{MIN_FIT_DAYS + 1} days ({MIN_FIT_DAYS} to fit, 1 to check; "
            f"{MIN_FIT_DAYS + BACKTEST_DAYS} for the full {BACKTEST_DAYS}-day figure)"
        )
        if short.missing:
            return f"{need}; nothing yet for {', '.join(short.missing)}."
        return f"{need}; it has {fmt_number(short.days)} day{'s' if short.days != 1 else ''}."

    def servers(self, plan: Plan, vcpus: float) -> int:
        """Servers in `vcpus` of the plan's API containers (whatif counts vCPUs)."""
        containers = vcpus / float(plan.reality.vcpus_per_container)
        return max(1, round(containers * self.history_workers))

    def p95_model(self, plan: Plan) -> P95Model:
        """whatif's seam: p95 (ms) at a load on a number of vCPUs; None when overloaded.
        The fitted service time where there is one, else the demand whatif measured (or
        the plan's) with the spread assumed."""

        def p95(
            rps: float, service_s: float, vcpus: float, _now: float | None, _rho: float | None
        ) -> float | None:
            service = self.service
            if self.fit is None and service_s > 0:
                service = replace(service, mean=service_s)
            value = response_quantile(rps, self.servers(plan, vcpus), service)
            return value * 1000 if math.isfinite(value) else None

        return p95

    def load_at_target(self, plan: Plan, containers: float) -> float | None:
        """Requests a second at which p95 passes the built tier's target on `containers`
        (what fails first forecasts the load to this); None without a target or a fit."""
        if self.target is None or self.fit is None or containers <= 0:
            return None
        servers = max(1, round(containers * self.history_workers))
        return rps_at_target(servers, self.service, self.target.seconds)

    def caveat(self, rps: float) -> str | None:
        """Past BEYOND_MEASURED times the busiest measured hour, never silently."""
        if self.fit is None:
            return None
        busiest = self.fit.busiest_rps
        if rps <= BEYOND_MEASURED * busiest:
            return None
        return (
            f"Caveat: {fmt_number(round(rps, 1))} req/sec is {rps / busiest:.1f}× the busiest "
            f"hour measured ({fmt_number(round(busiest, 1))} req/sec); the model has not been "
            "checked that far."
        )


def model_from_hours(plan: Plan, hours: Hours | None, now: datetime) -> QueueModel:
    """The model for `plan` (its built tier in force): fitted and back-tested on `hours`
    when they hold enough, else the plan's average response with the spread assumed."""
    chosen = model_settings(plan)
    workers = history_workers(plan)
    measured: BackTest | None = None
    short: NotEnough | None = None
    if hours is not None:
        figures, missing = hour_figures(plan, hours)
        result = backtest(
            figures, workers, now, shape=chosen.shape, days=BACKTEST_DAYS, missing=missing
        )
        measured, short = (result, None) if isinstance(result, BackTest) else (None, result)
    fitted = measured.fit if measured is not None else short.fit if short is not None else None
    if fitted is not None:
        service = fitted.service
    else:
        service = ServiceTime(chosen.avg_response, chosen.scv, chosen.shape)
    return QueueModel(
        service, measured, short, p95_target(plan, plan.built_tier), workers, roles(plan)
    )
