"""`whatif`: a load sized with the measured figures of a simulated service, and the limit
that service would hit first as its users grow."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.commands import build_router
from bot.commands.reality import reality_of
from bot.context import Context
from bot.deps import Deps
from bot.domain.limits import cpu_threshold, p95_target, storage_capacity
from bot.domain.whatif import parameters, size
from bot.render.text import render_text
from tests.support.metrics_helpers import T0, Clock, make_deps
from tests.support.reality_sim import Service

STEP = timedelta(minutes=10)
DAYS = 10
# A service quiet enough that nothing is broken today (500 users), cheap enough that the
# budget is far off: which limit it reaches first depends on the parameters below.
BASE = Service(users0=500, users_per_day=2, cost=8.0, mean_ms=80, p95_over_mean=2.0)


def _deps(service: Service) -> Deps:
    deps = make_deps(Clock(T0))
    start = T0 - timedelta(days=DAYS)
    deps.store.metrics.add_rows(list(service.rows(deps.plan, start, DAYS, STEP)))
    return deps


def _first_reached(deps: Deps, service: Service) -> str:
    """Which limit the simulated service itself reaches first as its users grow, from its
    own formulas: CPU on today's containers at the day's peak, storage at the users, the
    cost growing with the users (p95 and connections stay clear in these services)."""
    plan = deps.plan
    now_users = service.users(DAYS)

    def at_users(users: float) -> dict[str, float]:
        days = (users - service.users0) / service.users_per_day
        peak = service.rps(days) / (1 + service.swing * _curve(days)) * (1 + service.swing)
        cpu = 100 * peak * service.demand_s / (service.containers * service.vcpus_per_container)
        return {
            "cpu": cpu,
            "storage": service.storage_gb(plan, days),
            "budget": service.cost * users / now_users,
        }

    limits = {
        "cpu": cpu_threshold(plan),
        "storage": (storage_capacity(plan) or (0.0, ""))[0],
        "budget": 40.0,
    }
    reached: dict[str, float] = {}
    for key, limit in limits.items():
        assert limit is not None
        users = now_users
        while at_users(users)[key] <= limit and users < 1e7:
            users *= 1.01
        reached[key] = users
    return min(reached, key=lambda k: reached[k])


def _curve(days: float) -> float:
    return math.sin(2 * math.pi * (days % 1.0 - 0.375))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"files_mb": 45.0}, "storage"),  # storage per user far above the plan's 20 MB
        ({"demand_s": 0.9, "containers": 1.0, "files_mb": 5.0}, "cpu"),  # a slow API
        ({"cost": 30.0, "files_mb": 5.0}, "budget"),  # an expensive one
    ],
)
def test_whatif_names_the_limit_the_simulated_service_hits_first(
    changes: dict[str, float], expected: str
) -> None:
    service = replace(BASE, **changes)
    deps = _deps(service)
    assert _first_reached(deps, service) == expected  # the simulation's own answer
    reality = reality_of(deps.store, deps.plan, T0)
    sizing = size(deps.plan, parameters(reality), users=service.users(DAYS) * 20)
    assert sizing.first is not None and sizing.first.limit.key == expected
    answer = _ask(deps, "whatif users 20000")
    assert f"First to break: {sizing.first.limit.name}" in answer


def _ask(deps: Deps, text: str) -> str:
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    return render_text(build_router().dispatch(text, ctx))


def test_whatif_users_sizes_the_load_with_the_measured_figures() -> None:
    service = Service()
    deps = _deps(service)
    answer = _ask(deps, "whatif users 5000")
    mean = 5000 * service.requests_per_user / 86400  # 7.52 req/s
    peak = mean * (1 + service.swing)  # the daily curve's busiest hour: ~12 req/s
    found = re.search(r"([\d.]+) req/s mean, ([\d.]+) req/s × ([\d.]+) at the peak hour", answer)
    assert found is not None, answer
    assert abs(float(found.group(1)) - mean) <= 0.05 * mean
    assert abs(float(found.group(2)) - peak) <= 0.05 * peak
    # ~12 req/s x 0.26 s / 0.7 = 4.4 -> 5 vCPUs; 5 x 12 + 25 jobs = 85 connections.
    assert "5 vCPUs = 5 containers" in answer
    assert "85 of 100 on 5 containers: no pooler needed" in answer
    assert "Tier 2: $415/mo" in answer
    assert "Limits, in the order the load reaches them" in answer


def test_whatif_p95_comes_from_the_model_seam() -> None:
    deps = _deps(BASE)
    p = parameters(reality_of(deps.store, deps.plan, T0))
    calls: list[tuple[float, ...]] = []

    def model(rps: float, s: float, servers: float, *_: float | None) -> float:
        calls.append((rps, s, servers))
        return 123.0

    sizing = size(deps.plan, p, users=1000, p95_model=model)
    assert sizing.p95_ms == 123.0 and calls
    assert p95_target(deps.plan) == 500.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("whatif", "Say what to change"),
        ("whatif bananas 3", "not something whatif changes"),
        ("whatif users", "Give a number after `users`"),
        ("whatif users many", "is not a number"),
        ("whatif containers 2.5", "whole number"),
        ("whatif users 10 20", "extra"),
    ],
)
def test_whatif_refuses_what_it_cannot_read_with_an_example(text: str, reason: str) -> None:
    deps = _deps(BASE)
    answer = _ask(deps, text)
    assert reason in answer and "Try: `whatif" in answer


def test_whatif_price_gives_break_even_per_tier() -> None:
    answer = _ask(_deps(BASE), "whatif price 30")
    assert "What if the price were $30" in answer
    assert "Tier 1: 10x Growth" in answer and "4 instructors" in answer
