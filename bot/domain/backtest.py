"""The queue model fitted to a team's own hours, and how wrong it has been.

Fit: the service time's mean and spread from the quietest hours (the lowest load a server
carried), where a response is mostly service: the mean service time is the one whose
modelled mean response matches the measured mean, and the spread the one whose modelled
p95 matches the measured p95, with the little waiting those hours had taken out by the
model itself. Back-test: for each of the last days, fit on the days before it only, predict
that day's peak hour (its busiest measured hour) and compare with the p95 it measured.

Pure: hours in, figures out; `now` passed in.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.queue import (
    ServiceTime,
    Shape,
    erlang_c,
    exponential_service,
    lognormal_from_mean_p95,
    response_quantile,
)

__all__ = [
    "BEYOND_MEASURED",
    "FIT_DAYS",
    "MIN_FIT_DAYS",
    "BackTest",
    "DayCheck",
    "Fit",
    "HourFigures",
    "NotEnough",
    "backtest",
    "fit_service",
]

MIN_FIT_DAYS = 3  # days of hours a fit needs before the day it predicts
FIT_DAYS = 14  # a fit looks back this far, so last month's service does not linger
BEYOND_MEASURED = 3.0  # past this many times the busiest measured hour, answers carry a caveat
_QUIET_SHARE = 0.25  # the quietest quarter of the hours fits the service time
_MIN_QUIET = 6


@dataclass(frozen=True)
class HourFigures:
    """One hour of measurements: mean requests a second, mean and p95 response (ms), and the
    containers running; `servers` = containers x workers per container."""

    hour: datetime
    rps: float
    mean_ms: float
    p95_ms: float
    containers: float

    def servers(self, workers: int) -> int:
        return max(1, round(self.containers)) * workers


@dataclass(frozen=True)
class Fit:
    service: ServiceTime
    hours: int  # hours it was fitted on
    days: int  # days those hours span
    busiest_rps: float  # the highest hourly load measured


@dataclass(frozen=True)
class DayCheck:
    day: date
    rps: float
    servers: int
    predicted_ms: float
    measured_ms: float

    @property
    def error(self) -> float:
        return abs(self.predicted_ms - self.measured_ms) / self.measured_ms


@dataclass(frozen=True)
class BackTest:
    checks: tuple[DayCheck, ...]
    fit: Fit  # on every hour up to now: what answers use

    @property
    def median_error(self) -> float:
        return statistics.median(c.error for c in self.checks)

    @property
    def worst_error(self) -> float:
        return max(c.error for c in self.checks)


@dataclass(frozen=True)
class NotEnough:
    """Too little data: what there is, and what the model still needs."""

    days: int
    hours: int
    missing: tuple[str, ...] = ()
    fit: Fit | None = None  # enough to fit, not yet to check: answers may use it, saying so


def _usable(h: HourFigures) -> bool:
    figures = (h.rps, h.mean_ms, h.p95_ms, h.containers)
    return all(math.isfinite(x) for x in figures) and h.rps > 0 and h.mean_ms > 0 and h.p95_ms > 0


def _mean_service(mean_s: float, rps: float, servers: int, scv: float) -> float:
    """The service time S whose mean response S + Wq(S) is `mean_s` at this load."""

    def response(s: float) -> float:
        if rps * s >= servers:
            return math.inf
        wait = erlang_c(servers, rps * s) * (1 + scv) / 2 / (servers / s - rps)
        return s + wait

    low, high = 0.0, min(mean_s, servers / rps * (1 - 1e-9))
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if response(mid) < mean_s else (low, mid)
    return (low + high) / 2


def fit_service(hours: Sequence[HourFigures], workers: int, shape: Shape) -> Fit | None:
    """The service time from the quietest hours; None with fewer than MIN_FIT_DAYS days."""
    usable = [h for h in hours if _usable(h)]
    days = len({h.hour.date() for h in usable})
    if days < MIN_FIT_DAYS:
        return None
    by_load = sorted(usable, key=lambda h: h.rps / h.servers(workers))
    quiet = by_load[: max(_MIN_QUIET, int(len(by_load) * _QUIET_SHARE))]
    rps = statistics.fmean(h.rps for h in quiet)
    servers = round(statistics.median(h.servers(workers) for h in quiet))
    mean_s = statistics.fmean(h.mean_ms for h in quiet) / 1000
    p95_s = statistics.fmean(h.p95_ms for h in quiet) / 1000
    service = exponential_service(mean_s) if shape == "exponential" else None
    target_p95 = p95_s
    for _ in range(4):  # the wait depends on the spread and the spread on the wait
        scv = 1.0 if service is None else service.scv
        mean = _mean_service(mean_s, rps, servers, scv)
        if shape == "exponential":
            service = exponential_service(mean)
            break
        service = lognormal_from_mean_p95(mean, max(target_p95, mean * 1.0001))
        modelled = response_quantile(rps, servers, service)
        if not math.isfinite(modelled) or abs(modelled - p95_s) < 1e-3 * p95_s:
            break
        target_p95 *= p95_s / modelled
    assert service is not None
    return Fit(service, len(usable), days, max(h.rps for h in usable))


def _predict(fit: Fit, peak: HourFigures, workers: int) -> DayCheck:
    servers = peak.servers(workers)
    predicted = response_quantile(peak.rps, servers, fit.service) * 1000
    return DayCheck(peak.hour.date(), peak.rps, servers, predicted, peak.p95_ms)


def backtest(
    hours: Sequence[HourFigures],
    workers: int,
    now: datetime,
    *,
    shape: Shape = "lognormal",
    days: int = 14,
    missing: tuple[str, ...] = (),
) -> BackTest | NotEnough:
    """Fit on the days before each of the last `days` whole days, predict its peak hour."""
    usable = sorted((h for h in hours if _usable(h)), key=lambda h: h.hour)
    span = len({h.hour.date() for h in usable})
    today = now.date()
    checks: list[DayCheck] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        own = [h for h in usable if h.hour.date() == day]
        if not own:
            continue
        start = datetime.combine(day, datetime.min.time(), tzinfo=own[0].hour.tzinfo)
        before = [h for h in usable if start - timedelta(days=FIT_DAYS) <= h.hour < start]
        fit = fit_service(before, workers, shape)
        if fit is None:
            continue
        checks.append(_predict(fit, max(own, key=lambda h: h.rps), workers))
    recent = [h for h in usable if h.hour >= now - timedelta(days=FIT_DAYS)]
    current = fit_service(recent, workers, shape)
    if missing or not checks or current is None:
        return NotEnough(
            days=span, hours=len(usable), missing=missing, fit=None if missing else current
        )
    return BackTest(tuple(checks), current)
