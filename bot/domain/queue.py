"""An API as a queue: the p95 response time at any load and number of servers.

Requests arrive at random (Poisson) at `rps` a second and wait, first come first served,
for one of `servers` workers (containers x workers per container). Erlang C gives the
chance a request waits (M/M/c); the Allen-Cunneen correction scales the wait by
(1 + scv) / 2 for service times that spread more (or less) than exponential ones; the
response time is that wait plus the request's own service time, and its 95th percentile
is found from the two distributions together. Exponential service is M/M/c, exact;
anything else is the approximation, which the tests hold against a simulation.

Pure: floats in seconds, stdlib only, no clock.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Literal

__all__ = [
    "QueuePoint",
    "ServiceTime",
    "Shape",
    "containers_needed",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "exponential_service",
    "lognormal_from_mean_p95",
    "lognormal_service",
    "response_quantile",
    "rps_at_target",
]

Shape = Literal["lognormal", "exponential"]

Z95 = NormalDist().inv_cdf(0.95)  # 1.645
_GRID = 1000  # quantile points of a service-time distribution (midpoints, equal weight)
_EXP_LIMIT = 40.0  # e^-40: terms past this add nothing a p95 can see


@dataclass(frozen=True)
class ServiceTime:
    """How long one request holds a worker: mean (seconds) and spread (scv = variance /
    mean², 1 for exponential). `fitted` is False where the spread was assumed, not measured."""

    mean: float
    scv: float
    shape: Shape = "lognormal"
    fitted: bool = False

    def __post_init__(self) -> None:
        if not (self.mean > 0 and math.isfinite(self.mean)):
            raise ValueError("the mean service time must be a positive number of seconds")
        if not (self.scv > 0 and math.isfinite(self.scv)):
            raise ValueError("the service time's spread (scv) must be positive")

    @property
    def sigma(self) -> float:
        """The lognormal's sigma for this scv: scv = e^(sigma²) - 1."""
        return math.sqrt(math.log1p(self.scv))

    def quantile(self, q: float) -> float:
        if self.shape == "exponential":
            return -self.mean * math.log1p(-q)
        sigma = self.sigma
        return self.mean * math.exp(sigma * NormalDist().inv_cdf(q) - sigma * sigma / 2)

    def grid(self) -> tuple[float, ...]:
        """_GRID equally likely service times, sorted: the distribution a p95 is read from."""
        return tuple(self.mean * x for x in _unit_grid(self.shape, round(self.sigma, 9)))


@cache
def _unit_grid(shape: Shape, sigma: float) -> tuple[float, ...]:
    points = ((i + 0.5) / _GRID for i in range(_GRID))
    if shape == "exponential":
        return tuple(-math.log1p(-u) for u in points)
    normal = NormalDist()
    return tuple(math.exp(sigma * normal.inv_cdf(u) - sigma * sigma / 2) for u in points)


def exponential_service(mean: float) -> ServiceTime:
    return ServiceTime(mean=mean, scv=1.0, shape="exponential")


def lognormal_service(mean: float, scv: float = 1.0, *, fitted: bool = False) -> ServiceTime:
    return ServiceTime(mean=mean, scv=scv, shape="lognormal", fitted=fitted)


def lognormal_from_mean_p95(mean: float, p95: float) -> ServiceTime:
    """The lognormal with this mean and 95th percentile.

    ln(p95 / mean) = 1.645 sigma - sigma² / 2, so sigma = 1.645 - sqrt(1.645² - 2 ln(p95 /
    mean)). A p95 at or below the mean, or more than e^(1.645²/2) = 3.87 times it, has no
    lognormal: the spread is then taken at the nearest one that exists.
    """
    if not (mean > 0 and p95 > 0):
        raise ValueError("the mean and p95 service times must be positive")
    ratio = math.log(p95 / mean)
    ceiling = Z95 * Z95 / 2
    sigma = Z95 - math.sqrt(Z95 * Z95 - 2 * min(max(ratio, 1e-6), ceiling))
    return lognormal_service(mean, math.expm1(sigma * sigma), fitted=True)


def erlang_b(servers: int, offered: float) -> float:
    """Erlang B by its recurrence B(k) = a B(k-1) / (k + a B(k-1)): stable for any c.

    A million servers need not be a million steps: far below the load (k < a - 40 sqrt(a))
    B(k) is 1 - k/a to within what the recurrence forgets by k = a (it contracts by k/a a
    step), and far above it B falls past anything a p95 can see, so the loop stops there.
    """
    if offered <= 0:
        return 0.0
    start = max(0, min(servers, math.floor(offered - 40 * math.sqrt(offered))))
    blocked = 1.0 - start / offered
    for k in range(start + 1, servers + 1):
        blocked = offered * blocked / (k + offered * blocked)
        if blocked < 1e-30:
            return 0.0
    return blocked


def erlang_c(servers: int, offered: float) -> float:
    """The chance an arriving request waits (M/M/c), offered load a = rps x mean service."""
    if servers < 1:
        raise ValueError("a queue needs at least one server")
    rho = offered / servers
    if rho >= 1:
        return 1.0
    blocked = erlang_b(servers, offered)
    return blocked / (1 - rho * (1 - blocked))


@dataclass(frozen=True)
class QueuePoint:
    """The queue at one load: utilisation, chance of waiting, mean wait and p95 response
    (seconds; infinite when the servers cannot keep up)."""

    rps: float
    servers: int
    utilisation: float
    wait_probability: float
    mean_wait: float
    p95: float

    @property
    def stable(self) -> bool:
        return self.utilisation < 1


def _wait(rps: float, servers: int, service: ServiceTime) -> tuple[float, float]:
    """(chance of waiting, rate of the exponential wait of those who wait): Allen-Cunneen."""
    wait_probability = erlang_c(servers, rps * service.mean)
    drain = servers / service.mean - rps  # c mu - lambda
    return wait_probability, drain * 2 / (1 + service.scv)


def _tail_exponential(t: float, rps: float, servers: int, service: ServiceTime) -> float:
    """P(response > t) for M/M/c exactly: no wait and Exp(mu), or Exp(theta) + Exp(mu)."""
    mu = 1 / service.mean
    waits, theta = _wait(rps, servers, service)
    alone = math.exp(-mu * t)
    if abs(theta - mu) < 1e-9 * mu:
        both = (1 + mu * t) * alone
    else:
        both = (theta * alone - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - waits) * alone + waits * both


class _GeneralTail:
    """P(service + wait > t), the wait 0 or Exp(theta), over the service grid: each point
    either past t already or needing a wait longer than t - s (probability waits e^-theta(t-s)).

    Every t asked is at least the grid point `anchor` (the response's p95 is never below
    the service's), so the points up to it are summed once, scaled by e^-theta(t - anchor),
    and only the few above it are summed per call.
    """

    def __init__(self, times: tuple[float, ...], k: int, waits: float, theta: float) -> None:
        self.times, self.k, self.waits, self.theta = times, k, waits, theta
        self.anchor = times[k]
        # Points far below the anchor underflow to 0: they add nothing a p95 can see.
        self.base = math.fsum(
            math.exp(max(-745.0, theta * (s - self.anchor))) for s in times[: k + 1]
        )

    def __call__(self, t: float) -> float:
        times, theta = self.times, self.theta
        below = bisect.bisect_right(times, t)
        x = theta * (t - self.anchor)
        total = self.base * math.exp(-x) if x < 745 else 0.0
        for s in times[self.k + 1 : below]:
            total += math.exp(-theta * (t - s))
        return (len(times) - below + self.waits * total) / len(times)


def response_quantile(rps: float, servers: int, service: ServiceTime, q: float = 0.95) -> float:
    """The q-quantile of response time (wait + service), seconds; inf when unstable."""
    if rps < 0 or not math.isfinite(rps):
        raise ValueError("the request rate must be a number, zero or more")
    if rps * service.mean >= servers:
        return math.inf
    low = service.quantile(q)  # a response is never shorter than its service
    if rps == 0:
        return low
    if service.shape == "exponential":
        waits, theta = _wait(rps, servers, service)

        def tail(t: float) -> float:
            return _tail_exponential(t, rps, servers, service)
    else:
        times = service.grid()
        # Past this point lie (1 - q) of the grid: the tail there is above 1 - q already.
        k = max(0, math.ceil(q * len(times)) - 1)
        low = times[k]
        waits, theta = _wait(rps, servers, service)
        tail = _GeneralTail(times, k, waits, theta)

    high = low + max(0.0, math.log(max(waits, 1e-300) / (1 - q))) / theta + service.mean
    while tail(high) > 1 - q:
        high *= 2
    # The grid's p95 is good to a few parts in 10,000: no point in bisecting finer.
    tolerance = 1e-6 if service.shape == "exponential" else 1e-4
    while high - low > tolerance * high:
        mid = (low + high) / 2
        low, high = (mid, high) if tail(mid) > 1 - q else (low, mid)
    return (low + high) / 2


def evaluate(rps: float, servers: int, service: ServiceTime) -> QueuePoint:
    offered = rps * service.mean
    utilisation = offered / servers
    if utilisation >= 1:
        return QueuePoint(rps, servers, utilisation, 1.0, math.inf, math.inf)
    waits, theta = _wait(rps, servers, service)
    return QueuePoint(
        rps=rps,
        servers=servers,
        utilisation=utilisation,
        wait_probability=waits,
        mean_wait=waits / theta if rps > 0 else 0.0,
        p95=response_quantile(rps, servers, service),
    )


def containers_needed(rps: float, service: ServiceTime, target: float, workers: int) -> int | None:
    """The fewest containers (of `workers` servers each) whose p95 response is at most
    `target` seconds at `rps`; None when no number can (the service alone is slower)."""
    if workers < 1:
        raise ValueError("a container runs at least one worker")
    if service.quantile(0.95) >= target:
        return None

    def holds(containers: int) -> bool:
        return response_quantile(rps, containers * workers, service) <= target

    low = max(1, math.floor(rps * service.mean / workers))  # below this it is unstable
    if holds(low):
        return low
    high = low + 1
    limit = 1000 * high  # a target a hair above the service's own p95 is never reached
    while not holds(high):
        low, high = high, high * 2
        if high > limit:
            return None
    while high - low > 1:  # p95 falls as containers are added: the first that holds
        mid = (low + high) // 2
        low, high = (low, mid) if holds(mid) else (mid, high)
    return high


def rps_at_target(servers: int, service: ServiceTime, target: float) -> float:
    """The most requests a second `servers` take with p95 at most `target` seconds: where
    p95 crosses the target as load grows (0 when the service alone misses it)."""
    if response_quantile(0.0, servers, service) > target:
        return 0.0
    low, high = 0.0, servers / service.mean
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (
            (mid, high) if response_quantile(mid, servers, service) <= target else (low, mid)
        )
        if high - low < 1e-4 * high:
            break
    return low
