"""A discrete-event simulation of an API: requests arrive at random (Poisson), wait first
come first served for one of `servers` workers, and hold it for a drawn service time.

Our own, in pure Python over numpy's generator: a FCFS multi-server queue needs only the
time each server comes free (a heap), so a library (simpy) would add processes and events
this does not need, and run slower. Fixed seeds make every run the same run.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.domain.monitoring import Sample

__all__ = [
    "FIRST",
    "MEAN",
    "NOW",
    "SCV",
    "Hour",
    "SimulatedHour",
    "as_samples",
    "daily_load",
    "simulate",
    "simulate_hour",
    "simulated_days",
    "three_weeks",
]

WARM_UP = 0.05  # the first 5% of requests meet an empty system: not the steady state


def _service(rng: np.random.Generator, mean: float, scv: float, shape: str, n: int) -> np.ndarray:
    if shape == "exponential":
        return rng.exponential(mean, n)
    sigma = math.sqrt(math.log1p(scv))
    return mean * np.exp(sigma * rng.standard_normal(n) - sigma * sigma / 2)


def _responses(
    rps: float, servers: int, service: np.ndarray, rng: np.random.Generator
) -> list[float]:
    arrivals = rng.exponential(1 / rps, len(service)).tolist()
    free = [0.0] * servers  # when each server is next free, a heap
    now = 0.0
    out = [0.0] * len(service)
    for i, (gap, hold) in enumerate(zip(arrivals, service.tolist(), strict=True)):
        now += gap
        start = max(now, free[0])
        heapq.heapreplace(free, start + hold)
        out[i] = start + hold - now
    return out


def simulate(
    rps: float, servers: int, mean: float, scv: float, shape: str, requests: int, seed: int
) -> float:
    """The simulated p95 response time (seconds) after the warm-up."""
    rng = np.random.default_rng(seed)
    out = _responses(rps, servers, _service(rng, mean, scv, shape, requests), rng)
    return float(np.percentile(out[int(requests * WARM_UP) :], 95))


@dataclass(frozen=True)
class Hour:
    """What an hour of the simulated API reports: the figures a team's monitoring sends."""

    rps: float
    mean_ms: float
    p95_ms: float


def simulate_hour(
    rps: float, servers: int, mean: float, scv: float, shape: str, requests: int, seed: int
) -> Hour:
    """An hour at `rps`, sampled by `requests` requests (a real hour has more: the figures
    carry the noise of a sample, as a monitoring system's summaries do)."""
    rng = np.random.default_rng(seed)
    out = _responses(rps, servers, _service(rng, mean, scv, shape, requests), rng)
    kept = out[int(requests * WARM_UP) :]
    return Hour(
        rps=rps, mean_ms=float(np.mean(kept)) * 1000, p95_ms=float(np.percentile(kept, 95)) * 1000
    )


@dataclass(frozen=True)
class SimulatedHour:
    """An hour as the store receives it: `hour` (UTC start), the load and what it measured."""

    hour: datetime
    rps: float
    mean_ms: float
    p95_ms: float
    containers: int


def daily_load(hour_of_day: int) -> float:
    """A working day's shape, 0.15 at night to 1.0 at the 14:00 peak."""
    return 0.15 + 0.85 * math.exp(-(((hour_of_day - 14) / 3.5) ** 2))


def simulated_days(
    first: datetime,
    days: int,
    *,
    mean: float,
    scv: float,
    shape: str,
    containers: tuple[int, ...],
    workers: int,
    peak_utilisation: float,
    requests: int,
    seed: int,
) -> list[SimulatedHour]:
    """`days` days of hours from `first` (midnight UTC): each day's peak load varies by up to
    ±8% around `peak_utilisation` of the day's containers (they cycle through
    `containers`), and every hour is its own simulation of `requests` requests (a peak
    hour of four times as many, so the figure each day is judged on is steady)."""
    rng = np.random.default_rng(seed)
    out: list[SimulatedHour] = []
    for day in range(days):
        count = containers[day % len(containers)]
        servers = count * workers
        peak = peak_utilisation * (1 + rng.uniform(-0.08, 0.08)) * servers / mean
        for h in range(24):
            rps = peak * daily_load(h)
            n = requests * (4 if h == 14 else 1)
            got = simulate_hour(rps, servers, mean, scv, shape, n, seed * 1000 + day * 24 + h)
            at = first + timedelta(days=day, hours=h)
            out.append(SimulatedHour(at, got.rps, got.mean_ms, got.p95_ms, count))
    return out


# The API the tests measure: 120 ms service time with twice an exponential's variance,
# twenty days of history from FIRST, judged at NOW.
FIRST = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
MEAN, SCV = 0.12, 2.0


def three_weeks(
    containers: tuple[int, ...], peak_utilisation: float, seed: int
) -> list[SimulatedHour]:
    """Twenty days of that API from FIRST, one worker a container."""
    return simulated_days(
        FIRST,
        20,
        mean=MEAN,
        scv=SCV,
        shape="lognormal",
        containers=containers,
        workers=1,
        peak_utilisation=peak_utilisation,
        requests=3000,
        seed=seed,
    )


def as_samples(hours: list[SimulatedHour]) -> list[Sample]:
    """Each hour as a monitoring system reports it: two samples of each figure an hour."""
    out: list[Sample] = []
    for h in hours:
        for minute in (10, 40):
            at = h.hour + timedelta(minutes=minute)
            out += [
                Sample(metric="api_rps", at=at, value=h.rps),
                Sample(metric="api_mean_ms", at=at, value=h.mean_ms),
                Sample(metric="api_p95_ms", at=at, value=h.p95_ms),
                Sample(metric="api_containers", at=at, value=h.containers),
            ]
    return out
