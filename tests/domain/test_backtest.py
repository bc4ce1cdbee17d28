"""The back-test: fitted on the days before, each day's peak hour predicted, the error
reported. Checked on a simulated API whose true service time is known."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

import pytest

from bot.domain.backtest import BackTest, HourFigures, NotEnough, backtest
from bot.domain.queue import lognormal_service, response_quantile
from tests.domain.queue_sim import MEAN, NOW, SCV, SimulatedHour, three_weeks


@pytest.fixture(scope="module")
def history() -> list[SimulatedHour]:
    return three_weeks((4, 4, 3), 0.8, seed=3)


def figures(hours: list[SimulatedHour]) -> list[HourFigures]:
    return [HourFigures(h.hour, h.rps, h.mean_ms, h.p95_ms, h.containers) for h in hours]


def test_the_fit_recovers_the_simulated_service_time(history: list[SimulatedHour]) -> None:
    result = backtest(figures(history), 1, NOW)
    assert isinstance(result, BackTest)
    assert result.fit.service.mean == pytest.approx(MEAN, rel=0.05)
    assert result.fit.service.scv == pytest.approx(SCV, rel=0.25)


def test_the_reported_error_is_the_error_against_the_simulation(
    history: list[SimulatedHour],
) -> None:
    """The figure a team reads is what the model really misses by: the same days' peak
    hours predicted with the simulation's true service time err as much."""
    result = backtest(figures(history), 1, NOW)
    assert isinstance(result, BackTest)
    assert len(result.checks) == 14
    true = lognormal_service(MEAN, SCV)
    errors = [
        abs(response_quantile(c.rps, c.servers, true) * 1000 - c.measured_ms) / c.measured_ms
        for c in result.checks
    ]
    assert result.median_error == pytest.approx(statistics.median(errors), abs=0.04)
    assert result.worst_error == pytest.approx(max(errors), abs=0.06)


def test_each_day_is_predicted_from_the_days_before_it_only(
    history: list[SimulatedHour],
) -> None:
    """Spoiling the future must not change a past day's prediction."""
    first = backtest(figures(history), 1, NOW)
    spoiled = [
        h
        if h.hour < datetime(2026, 11, 15, tzinfo=UTC)
        else h.__class__(h.hour, h.rps, h.mean_ms * 3, h.p95_ms * 3, h.containers)
        for h in history
    ]
    second = backtest(figures(spoiled), 1, NOW)
    assert isinstance(first, BackTest) and isinstance(second, BackTest)
    early = [c for c in first.checks if c.day.day < 15]
    assert early == [c for c in second.checks if c.day.day < 15]
    assert first.checks[-1].predicted_ms != second.checks[-1].predicted_ms


def test_three_days_are_not_enough_to_check_anything(history: list[SimulatedHour]) -> None:
    result = backtest(figures(history[: 24 * 3]), 1, datetime(2026, 11, 4, 9, tzinfo=UTC))
    assert isinstance(result, NotEnough)
    assert result.days == 3


def test_a_missing_metric_is_named() -> None:
    result = backtest([], 1, NOW, missing=("api_p95_ms",))
    assert result == NotEnough(days=0, hours=0, missing=("api_p95_ms",))
