"""A `>` rule is forecast from daily peaks: a metric that peaks near its threshold once a
day crosses it within days, though its mean is nowhere near. Digest and status say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import build_router
from bot.deps import Deps
from bot.domain.monitoring import Sample
from bot.domain.rules import MetricRule
from bot.jobs.alerts import rollup_once
from bot.monitor.forecast import crossing, daily, fit, forecast_rule
from bot.render.text import render_text
from tests.support.metrics_helpers import T0, Clock, make_deps

ROUTER = build_router()

P95 = MetricRule(metric="api_p95_ms", op=">", value=1000)
FAST = MetricRule(metric="api_p95_ms", op="<", value=100)


def spiky(deps: Deps, now: datetime = T0) -> None:
    """28 days of hourly p95: 300 ms all day but a 03:00 peak rising 700 -> 970 ms."""
    base = now.replace(hour=0, minute=0) - timedelta(days=27)
    rows = []
    for day in range(28):
        for hour in range(24):
            at = base + timedelta(days=day, hours=hour)
            if at <= now:
                peak = hour == 3
                value = 700 + 10 * day if peak else 300 - (2 * day if hour == 4 else 0)
                rows.append(("api_p95_ms", at.timestamp(), float(value)))
    rows.append(("mau", now.timestamp(), 90.0))
    deps.store.metrics.add_rows(rows)
    rollup_once(deps, now)


def test_crossing_date_comes_from_the_peaks_not_the_means() -> None:
    deps = make_deps(Clock())
    spiky(deps)
    hourly = deps.store.metrics.hourly_extremes("api_p95_ms", T0 - timedelta(days=28), T0)
    forecast = forecast_rule(P95, hourly, T0)
    assert forecast.basis == "from daily peaks"
    # Peaks: 970 at 03:00 today, +10 a day: 1,000 is 2.7 days after T0.
    assert forecast.crosses_at is not None
    assert forecast.crosses_at.date() == datetime(2026, 11, 30, tzinfo=UTC).date()
    means = deps.store.metrics.hourly_means("api_p95_ms", T0 - timedelta(days=28), T0)
    by_mean = crossing(fit(means, T0), P95, T0)  # type: ignore[arg-type]
    assert by_mean is None or by_mean - T0 > timedelta(days=365)
    # A `<` rule is forecast from the daily lows (the 04:00 dip, falling 2 ms a day).
    lows = daily(hourly, "lows")
    assert [s.value for s in lows[:3]] == [300.0, 298.0, 296.0]
    assert forecast_rule(FAST, hourly, T0).basis == "from daily lows"


def test_digest_and_status_forecast_from_daily_peaks() -> None:
    deps = make_deps(Clock())
    spiky(deps)
    digest = render_text(ROUTER.dispatch("digest", deps.context("U1")))
    row = next(x for x in digest.splitlines() if x.startswith("API response time p95 > 1s"))
    assert "Mon 30 Nov 2026 (from daily peaks)" in row
    assert "daily peaks (for a `>` rule)" in digest
    assert (
        "Next trigger to watch: API response time p95 > 1s, now 300ms, forecast to cross "
        "Mon 30 Nov 2026 (from daily peaks)."
    ) in digest
    status = render_text(ROUTER.dispatch("status", deps.context("U1")))
    assert (
        "Next trigger to watch: Tier 1: API response time p95 > 1s, now 300ms;"
        " forecast to cross Mon 30 Nov 2026 (from daily peaks)"
    ) in status


def test_daily_points_take_the_hour_of_the_peak() -> None:
    hours = [
        (datetime(2026, 11, 1, h, tzinfo=UTC), 1.0, float(v)) for h, v in ((1, 5), (9, 8), (20, 2))
    ]
    (point,) = daily(hours, "peaks")
    assert point == Sample(metric="-", at=datetime(2026, 11, 1, 9, tzinfo=UTC), value=8.0)
