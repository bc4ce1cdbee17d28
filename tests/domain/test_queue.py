"""The queueing model's arithmetic, against figures a reader can check by hand."""

from __future__ import annotations

import math

import pytest

from bot.domain.queue import (
    ServiceTime,
    containers_needed,
    erlang_b,
    erlang_c,
    evaluate,
    exponential_service,
    lognormal_from_mean_p95,
    lognormal_service,
    response_quantile,
    rps_at_target,
)


@pytest.mark.parametrize(
    ("servers", "offered", "expected"),
    [
        (1, 0.5, 0.5),  # one server: waits whenever busy, P = rho
        (2, 1.0, 1 / 3),  # 2 a^2 / (2 (2 - a) + 2 a ... ) by hand: 1/3
        (10, 8.0, 0.4092),  # the call-centre table's 10 agents at 8 erlangs
        (1, 1.0, 1.0),  # saturated
    ],
)
def test_erlang_c_matches_hand_figures(servers: int, offered: float, expected: float) -> None:
    assert erlang_c(servers, offered) == pytest.approx(expected, abs=1e-4)


def test_erlang_c_stays_finite_for_a_thousand_servers() -> None:
    """The recurrence never forms a^c / c!, which overflows a float past c = 170."""
    value = erlang_c(1000, 950.0)
    assert 0 < value < 1


def test_mm1_p95_is_ln20_over_the_spare_rate() -> None:
    """M/M/1: response ~ Exp(mu - lambda), so p95 = ln 20 / (mu - lambda)."""
    assert response_quantile(5.0, 1, exponential_service(0.1)) == pytest.approx(
        math.log(20) / 5, rel=1e-5
    )


def test_no_load_answers_the_service_time_alone() -> None:
    service = lognormal_service(0.12, 1.5)
    assert response_quantile(0.0, 4, service) == pytest.approx(service.quantile(0.95))


def test_more_load_never_lowers_p95() -> None:
    service = lognormal_service(0.1, 2.0)
    figures = [response_quantile(rps, 4, service) for rps in (1, 10, 20, 30, 35, 39)]
    assert figures == sorted(figures)


def test_an_overloaded_queue_has_no_p95() -> None:
    point = evaluate(11.0, 1, exponential_service(0.1))
    assert not point.stable and math.isinf(point.p95)


def test_lognormal_fit_reproduces_the_mean_and_p95_it_was_given() -> None:
    service = lognormal_from_mean_p95(0.120, 0.300)
    assert service.mean == 0.120
    assert service.quantile(0.95) == pytest.approx(0.300, rel=1e-9)
    assert service.fitted


@pytest.mark.parametrize("p95", [0.05, 0.1, 10.0])
def test_lognormal_fit_outside_what_a_lognormal_can_be_takes_the_nearest(p95: float) -> None:
    service = lognormal_from_mean_p95(0.1, p95)
    assert 0 < service.scv < 15


def test_a_service_time_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ServiceTime(mean=0, scv=1)


def test_containers_needed_is_the_first_count_that_holds() -> None:
    service = lognormal_service(0.12, 1.0)
    needed = containers_needed(100.0, service, 0.4, workers=2)
    assert needed is not None
    assert response_quantile(100.0, needed * 2, service) <= 0.4
    assert response_quantile(100.0, (needed - 1) * 2, service) > 0.4


def test_no_count_holds_a_target_the_service_alone_misses() -> None:
    service = lognormal_service(0.2, 1.0)  # its own p95 is about 556 ms
    assert containers_needed(10.0, service, 0.5, workers=1) is None


def _erlang_b_every_step(servers: int, offered: float) -> float:
    blocked = 1.0
    for k in range(1, servers + 1):
        blocked = offered * blocked / (k + offered * blocked)
    return blocked


@pytest.mark.parametrize(
    ("servers", "offered"),
    [(1, 0.3), (8, 7.2), (50, 20.0), (3000, 2850.0), (20_000, 19_000.0), (20_000, 14_000.0)],
)
def test_erlang_b_short_cut_agrees_with_every_step_of_the_recurrence(
    servers: int, offered: float
) -> None:
    assert erlang_b(servers, offered) == pytest.approx(
        _erlang_b_every_step(servers, offered), rel=1e-9, abs=1e-25
    )


def test_a_million_requests_a_second_is_answered() -> None:
    """The plan's count for 1,000,000 req/sec is 285,715 servers at 70%: p95 is the service's."""
    service = lognormal_service(0.2, 1.0)
    p95 = response_quantile(1_000_000.0, 285_715, service)
    assert p95 == pytest.approx(service.quantile(0.95), rel=0.01)


def test_the_load_where_p95_crosses_the_target() -> None:
    """M/M/1 with S = 100 ms: p95 = ln 20 / (10 - rps) = 0.5 s at rps = 10 - 2 ln 20 = 4.01."""
    rps = rps_at_target(1, exponential_service(0.1), 0.5)
    assert rps == pytest.approx(10 - 2 * math.log(20), rel=1e-3)
    assert rps_at_target(4, lognormal_service(0.2, 1.0), 0.5) == 0.0
