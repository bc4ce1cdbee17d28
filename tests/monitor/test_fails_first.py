"""What fails first, computed: the simulated service's limits in the order it reaches
them, from forecasts of what it reported, beside the plan's own breaking point."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.commands.reality import gather_hours
from bot.context import Context
from bot.deps import Deps
from bot.domain.limits import plan_limits
from bot.monitor.fails_first import fails_first
from bot.render.text import render_text
from tests.support.metrics_helpers import T0, Clock, make_deps
from tests.support.reality_sim import Service

DAYS = 20
# Growing fast: storage per user well above the plan, a slowly rising bill, a CPU that
# fills as users come; connections stay flat (no container is added).
SERVICE = Service(
    users0=500, users_per_day=20, cost=8.0, cost_per_day=0.5, mean_ms=80, p95_over_mean=1.5
)


def _deps() -> Deps:
    deps = make_deps(Clock(T0))
    start = T0 - timedelta(days=DAYS)
    rows = list(SERVICE.rows(deps.plan, start, DAYS, timedelta(minutes=10)))
    deps.store.metrics.add_rows(rows)
    return deps


def _simulated_order(deps: Deps) -> list[str]:
    """When the simulation itself passes each limit (its own values, hour by hour, for
    two years), in that order; limits it never passes are left out."""
    crossed: dict[str, float] = {}
    for limit in plan_limits(deps.plan):
        hour = 0
        while hour < 2 * 365 * 24:
            days = DAYS + hour / 24
            if SERVICE.values(deps.plan, days)[limit.metric] > limit.value:
                crossed[limit.key] = days
                break
            hour += 1
    return sorted(crossed, key=lambda k: crossed[k])


def test_what_fails_first_orders_the_limits_as_the_simulation_does() -> None:
    deps = _deps()
    expected = _simulated_order(deps)
    assert len(expected) >= 3  # storage, budget, CPU, p95: an order worth checking
    fails = fails_first(deps.plan, gather_hours(deps.store, deps.plan, T0), T0)
    forecast = [b.limit.key for b in fails.order if b.at is not None]
    assert forecast[: len(expected)] == expected
    never = [b.limit.key for b in fails.order if b.at is None]
    assert "connections" in never  # flat in the simulation, and in the forecast
    assert fails.plan_says is not None and fails.plan_says.first_to_break == "API containers (CPU)"


def _ask(deps: Deps, text: str) -> str:
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    return render_text(build_router().dispatch(text, ctx))


def test_status_home_and_the_digest_show_what_fails_first_beside_the_plan() -> None:
    deps = _deps()
    expected = "plan: API containers (CPU) first; measured: Storage first, in about"
    status = _ask(deps, "status")
    assert "What fails first" in status and expected in status
    digest = _ask(deps, "digest")
    assert "What fails first" in digest and expected in digest
    assert "Plan assumptions off by more than ±25%" in digest
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    home = render_text(home_reply(ctx, build_router()))
    assert expected in home and "Storage per user (files): plan 20MB, measured 31MB" in home
