"""The queue model as commands use it: fitted to the team's hours in the store when there
are enough, else built from the plan's figures with the spread assumed; the built tier's
p95 target; and the lines every answer carries (where the service time came from, the
back-test's error, a caveat past what was measured)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Context
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
from bot.domain.queue import ServiceTime, lognormal_service
from bot.domain.tiers import with_built
from bot.domain.values import fmt_value
from store.metrics import MetricStore

__all__ = [
    "API_CONTAINERS",
    "API_MEAN",
    "API_P95",
    "API_RPS",
    "P95Target",
    "QueueModel",
    "fmt_ms",
    "p95_target",
    "queue_model",
    "read_hours",
]

API_RPS = "api_rps"
API_MEAN = "api_mean_ms"
API_P95 = "api_p95_ms"
API_CONTAINERS = "api_containers"
ROLES = (API_RPS, API_MEAN, API_P95, API_CONTAINERS)
BACKTEST_DAYS = 14
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


def _hourly(metrics: MetricStore, metric: str, since: datetime, until: datetime) -> dict:
    """Hour start -> the hour's mean: rollups where the raw samples are gone, raw otherwise."""
    out = {r.hour: r.mean for r in metrics.rollups(metric, since, until)}
    for sample in metrics.hourly_means(metric, since, until):
        hour = sample.at.replace(minute=0, second=0, microsecond=0)
        out[hour] = sample.value
    return out


def read_hours(
    metrics: MetricStore, now: datetime, days: int = BACKTEST_DAYS + FIT_DAYS + 1
) -> tuple[list[HourFigures], tuple[str, ...]]:
    """Every hour holding all four measurements, and the names of those with none at all."""
    since = now - timedelta(days=days)
    series = {m: _hourly(metrics, m, since, now) for m in ROLES}
    missing = tuple(m for m in ROLES if not series[m])
    hours = sorted(set.intersection(*(set(s) for s in series.values())))
    return [
        HourFigures(
            hour=h,
            rps=series[API_RPS][h],
            mean_ms=series[API_MEAN][h],
            p95_ms=series[API_P95][h],
            containers=series[API_CONTAINERS][h],
        )
        for h in hours
    ], missing


@dataclass(frozen=True)
class QueueModel:
    """What an answer's p95 comes from, and what the answer must say about it."""

    service: ServiceTime
    measured: BackTest | None
    short: NotEnough | None  # why there is no back-test yet
    target: P95Target | None
    history_workers: int  # workers a measured container ran

    def workers(self, plan: Plan, vcpus: int) -> int:
        return plan.formulas.compute.workers_per_container or vcpus

    @property
    def fit(self) -> Fit | None:
        if self.measured is not None:
            return self.measured.fit
        return self.short.fit if self.short is not None else None

    def source_line(self, plan: Plan) -> str:
        s = self.service
        mean = fmt_ms(s.mean)
        fit = self.fit
        if fit is not None:
            return (
                f"Service time fitted to {fmt_number(fit.hours)} hours over "
                f"{fmt_number(fit.days)} days: mean {mean}, {s.shape} with scv "
                f"{s.scv:.2f} (the shape is assumed; the mean and p95 are measured)."
            )
        source = f"mean {mean} from the plan's average response"
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
        short = self.short or NotEnough(0, 0, ROLES)
        need = (
            f"No back-test yet: the model needs hourly {', '.join(ROLES)} for at least "
            f"{MIN_FIT_DAYS + 1} days ({MIN_FIT_DAYS} to fit, 1 to check; "
            f"{MIN_FIT_DAYS + BACKTEST_DAYS} for the full {BACKTEST_DAYS}-day figure)"
        )
        if short.missing:
            return f"{need}; nothing yet for {', '.join(short.missing)}."
        return f"{need}; it has {fmt_number(short.days)} day{'s' if short.days != 1 else ''}."

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


def queue_model(ctx: Context) -> QueueModel:
    """The model for this context: measured when the store holds enough, else the plan's."""
    plan = ctx.plan
    formula = plan.formulas.compute
    history_workers = formula.workers_per_container or formula.current_vcpus
    built = plan.built_tier
    measured: BackTest | None = None
    short: NotEnough | None = None
    if ctx.store is not None:
        built = with_built(plan, ctx.store.tiers.built_tier()).built_tier
        hours, missing = read_hours(ctx.store.metrics, ctx.now)
        result = backtest(
            hours,
            history_workers,
            ctx.now,
            shape=formula.service_shape,
            days=BACKTEST_DAYS,
            missing=missing,
        )
        measured, short = (result, None) if isinstance(result, BackTest) else (None, result)
    fitted = measured.fit if measured is not None else short.fit if short is not None else None
    if fitted is not None:
        service = fitted.service
    else:
        mean = float(formula.avg_response_seconds)
        scv = 1.0 if formula.service_shape == "exponential" else float(formula.service_scv)
        service = ServiceTime(mean, scv, formula.service_shape)
        if formula.service_shape == "lognormal":
            service = lognormal_service(mean, scv)
    return QueueModel(service, measured, short, p95_target(plan, built), history_workers)
