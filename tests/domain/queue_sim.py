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

import numpy as np

__all__ = ["Hour", "simulate", "simulate_hour"]

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
