"""The queueing model against a simulated API: p95 within 15% for exponential service
times, 25% for lognormal ones with scv 2, over utilisations 0.3 to 0.9 and 1 to 8
containers. Fixed grid, fixed seeds, ~150,000 requests a point (about 10 s in all)."""

from __future__ import annotations

import pytest

from bot.domain.queue import exponential_service, lognormal_service, response_quantile
from tests.domain.queue_sim import simulate

MEAN = 0.1  # seconds of service
REQUESTS = 150_000
UTILISATIONS = (0.3, 0.5, 0.7, 0.8, 0.9)
# (containers, workers per container): 1 to 8 containers, one and two workers each
SHAPES = ((1, 1), (2, 1), (4, 1), (8, 1), (1, 2), (4, 2), (8, 2))

GRID = [(u, c, w) for u in UTILISATIONS for c, w in SHAPES]


@pytest.mark.parametrize(("utilisation", "containers", "workers"), GRID)
def test_exponential_service_p95_within_15_percent(
    utilisation: float, containers: int, workers: int
) -> None:
    servers = containers * workers
    rps = utilisation * servers / MEAN
    simulated = simulate(rps, servers, MEAN, 1.0, "exponential", REQUESTS, seed=11 + servers)
    model = response_quantile(rps, servers, exponential_service(MEAN))
    assert abs(model - simulated) / simulated < 0.15, (model, simulated)


@pytest.mark.parametrize(("utilisation", "containers", "workers"), GRID)
def test_lognormal_service_p95_within_25_percent(
    utilisation: float, containers: int, workers: int
) -> None:
    servers = containers * workers
    rps = utilisation * servers / MEAN
    simulated = simulate(rps, servers, MEAN, 2.0, "lognormal", REQUESTS, seed=23 + servers)
    model = response_quantile(rps, servers, lognormal_service(MEAN, 2.0))
    assert abs(model - simulated) / simulated < 0.25, (model, simulated)


def test_the_tolerance_can_fail() -> None:
    """The comparison has teeth: a model that ignored queueing (p95 of the service alone)
    is well outside 25% at 90% utilisation on one container."""
    simulated = simulate(9.0, 1, MEAN, 2.0, "lognormal", REQUESTS, seed=5)
    service_only = lognormal_service(MEAN, 2.0).quantile(0.95)
    assert abs(service_only - simulated) / simulated > 0.5
