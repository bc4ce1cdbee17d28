"""Least-squares trend and crossing dates against hand-computed cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.rules import MetricRule
from bot.monitor import Sample, crossing, fit, forecast_value

NOW = datetime(2024, 3, 1, tzinfo=UTC)
DAY = 86400.0


def series(points: list[tuple[float, float]]) -> list[Sample]:
    """(days relative to NOW, value) pairs."""
    return [Sample(metric="mau", at=NOW + timedelta(days=d), value=v) for d, v in points]


def rule(op: str, value: float) -> MetricRule:
    return MetricRule(metric="mau", op=op, value=value)


def close(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) < 1e-3


def test_rising_line_exact_slope_and_crossing() -> None:
    trend = fit(series([(-3, 10), (-2, 12), (-1, 14), (0, 16)]), NOW)
    assert trend is not None
    assert trend.points == 4
    assert trend.slope_per_second == pytest.approx(2 / DAY)
    assert trend.per_week == pytest.approx(14)
    assert trend.intercept_at_now == pytest.approx(16)
    assert forecast_value(trend, NOW + timedelta(days=1)) == pytest.approx(18)
    assert close(crossing(trend, rule(">", 20), NOW), NOW + timedelta(days=2))


def test_noisy_points_hand_computed() -> None:
    # x = 0,1,2,3 days before the end; mean 1.5, y mean 2.5; Sxx = 5, Sxy = 4 -> 0.8/day.
    trend = fit(series([(-3, 1), (-2, 3), (-1, 2), (0, 4)]), NOW)
    assert trend is not None
    assert trend.slope_per_second * DAY == pytest.approx(0.8)
    assert trend.intercept_at_now == pytest.approx(3.7)
    assert close(crossing(trend, rule(">=", 5.3), NOW), NOW + timedelta(days=2))


def test_flat_is_not_approaching() -> None:
    trend = fit(series([(-2, 5), (-1, 5), (0, 5)]), NOW)
    assert trend is not None
    assert trend.slope_per_second == 0
    assert crossing(trend, rule(">", 10), NOW) is None


def test_falling_never_crosses_a_greater_than_rule() -> None:
    trend = fit(series([(-2, 9), (-1, 8), (0, 7)]), NOW)
    assert trend is not None
    assert crossing(trend, rule(">", 10), NOW) is None
    # ...but does reach a "below" rule: 7 -> 4 at 1/day is 3 days.
    assert close(crossing(trend, rule("<", 4), NOW), NOW + timedelta(days=3))


def test_already_true_is_now() -> None:
    trend = fit(series([(-2, 11), (-1, 12), (0, 13)]), NOW)
    assert trend is not None
    assert crossing(trend, rule(">", 10), NOW) == NOW


@pytest.mark.parametrize(
    "points",
    [[], [(0, 1)], [(-1, 1), (0, 2)], [(0, 1), (0, 2), (0, 3)]],
    ids=["none", "one", "two", "zero-spread"],
)
def test_not_enough_to_fit(points: list[tuple[float, float]]) -> None:
    assert fit(series(points), NOW) is None


def test_window_excludes_old_and_future_points() -> None:
    samples = series([(-60, 1000), (-2, 1), (-1, 2), (0, 3), (1, 500)])
    trend = fit(samples, NOW, window=timedelta(days=28))
    assert trend is not None
    assert trend.points == 3
    assert trend.per_week == pytest.approx(7)


@pytest.mark.parametrize(
    ("step", "threshold"), [(1e-300, 1e300), (1.0, 1e20)], ids=["infinite", "past-datetime-max"]
)
def test_absurdly_distant_crossing_is_not_approaching(step: float, threshold: float) -> None:
    trend = fit(series([(-2, 0), (-1, step), (0, 2 * step)]), NOW)
    assert trend is not None
    assert crossing(trend, rule(">", threshold), NOW) is None


@given(
    slope_per_day=st.floats(-1e4, 1e4, allow_nan=False),
    intercept=st.floats(-1e6, 1e6, allow_nan=False),
    offsets=st.sets(st.integers(0, 28 * 86400), min_size=3, max_size=40),
)
def test_fit_of_exact_linear_data_recovers_slope(
    slope_per_day: float, intercept: float, offsets: set[int]
) -> None:
    slope = slope_per_day / DAY
    samples = [
        Sample(metric="m", at=NOW - timedelta(seconds=o), value=intercept - slope * o)
        for o in offsets
    ]
    trend = fit(samples, NOW)
    assert trend is not None
    # The values themselves carry float rounding of ~|intercept| x 1e-16; over a span of a
    # few seconds that alone moves the slope, whatever the fit does.
    spread = max(offsets) - min(offsets)
    noise = 1e-12 + abs(intercept) * 1e-14 / spread
    assert trend.slope_per_second == pytest.approx(slope, rel=1e-6, abs=noise)
    assert trend.intercept_at_now == pytest.approx(intercept, rel=1e-6, abs=1e-3)
