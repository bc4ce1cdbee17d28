"""Properties of the queue model a capacity planner relies on, over generated queues."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.queue import ServiceTime, containers_needed, response_quantile

services = st.builds(
    ServiceTime,
    mean=st.floats(0.005, 2.0),
    scv=st.floats(0.1, 6.0),
    shape=st.sampled_from(["lognormal", "exponential"]),
)


@settings(max_examples=60)
@given(service=services, servers=st.integers(1, 64), load=st.floats(0.05, 0.95))
def test_more_servers_never_make_p95_worse(service: ServiceTime, servers: int, load: float) -> None:
    rps = load * servers / service.mean
    here = response_quantile(rps, servers, service)
    more = response_quantile(rps, servers + 1, service)
    assert math.isfinite(here) and more <= here * (1 + 1e-3)
    assert here >= service.quantile(0.95) * (1 - 1e-2)  # a response includes its service


@settings(max_examples=40)
@given(
    service=services,
    rps=st.floats(0.5, 500.0),
    workers=st.integers(1, 8),
    slack=st.floats(1.1, 5.0),
)
def test_containers_needed_is_the_fewest_that_hold(
    service: ServiceTime, rps: float, workers: int, slack: float
) -> None:
    target = service.quantile(0.95) * slack
    needed = containers_needed(rps, service, target, workers)
    assert needed is not None
    assert response_quantile(rps, needed * workers, service) <= target
    if needed > 1:
        assert response_quantile(rps, (needed - 1) * workers, service) > target
