"""whatif and what fails first take p95 from the queue model: whatif's p95 at the peak is
what a simulation of that load gives, and the p95 limit is reached when the load's trend
reaches the load the model says passes the target."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Context, build_router
from bot.domain.monitoring import HourStat
from bot.monitor.fails_first import fails_first
from bot.planio.planfile import default_plan
from bot.render.text import render_text
from store import Store
from tests.domain.queue_sim import MEAN, NOW, SCV, SimulatedHour, as_samples, simulate, three_weeks


@pytest.fixture(scope="module")
def history() -> list[SimulatedHour]:
    return three_weeks((4,), 0.7, seed=5)


def test_whatif_p95_is_the_simulated_p95_at_that_peak(
    store: Store, history: list[SimulatedHour]
) -> None:
    store.metrics.add_batch(as_samples(history))
    ctx = Context(plan=default_plan(), now=NOW, store=store)
    out = render_text(build_router().dispatch("whatif rps 8", ctx))
    peak = re.search(r"Load: +[\d.,]+ req/s mean, ([\d.,]+) req/s", out)
    p95 = re.search(r"p95 at the peak: +([\d.,]+)ms", out)
    assert peak and p95, out
    assert "Model error over the last 14 days" in out
    assert "M/M/1" not in out
    simulated = simulate(float(peak.group(1)), 4, MEAN, SCV, "lognormal", 100_000, seed=8) * 1000
    assert float(p95.group(1).replace(",", "")) == pytest.approx(simulated, rel=0.25)


def _hours(values: list[float]) -> list[HourStat]:
    start = datetime(2026, 11, 1, 14, tzinfo=UTC)
    return [HourStat(start + timedelta(days=day), v, v, v, 1) for day, v in enumerate(values)]


def test_the_p95_limit_is_reached_when_the_load_reaches_the_models_load() -> None:
    """p95 measured flat (its own trend never reaches 500 ms) while the load climbs 1 req/s
    a day from 10: with the model's 40 req/s the limit comes as the load gets there."""
    plan = default_plan()
    now = datetime(2026, 11, 21, 15, tzinfo=UTC)
    hours = {
        "api_rps": _hours([10.0 + day for day in range(20)]),
        "api_p95_ms": _hours([200.0] * 20),
    }
    alone = {b.limit.key: b for b in fails_first(plan, hours, now).order}
    assert alone["p95"].at is None
    modelled = {b.limit.key: b for b in fails_first(plan, hours, now, p95_load=40.0).order}
    at = modelled["p95"].at
    assert at is not None
    # 29 req/s today (day 19): 11 more days to 40.
    assert abs((at - now) / timedelta(days=1) - 11) < 1.5
