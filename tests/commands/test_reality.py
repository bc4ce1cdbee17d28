"""The plan against reality: a simulated service with known parameters, its samples sent
through the real intake (POST /api/metrics on a served app), and what `reality` recovers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.commands.reality import reality_of
from bot.context import Context
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.domain.reality import Reality
from bot.planio.planfile import default_plan
from bot.render.blocks import render_home, render_message
from bot.render.text import render_text
from bot.web.ingest import make_metrics_routes
from tests.fakeslack.blockkit import validate_blocks, validate_view
from tests.support.metrics_helpers import T0, TOKEN, Clock, make_deps
from tests.support.reality_sim import Service, plan_true

AUTH = {"Authorization": f"Bearer {TOKEN}"}
STEP = timedelta(minutes=5)
DAYS = 14


@pytest.fixture
def deps() -> Deps:
    return make_deps(Clock())


@pytest.fixture
async def client(deps: Deps) -> AsyncIterator[TestClient]:
    app = web.Application()
    app.add_routes(make_metrics_routes(deps))
    served = TestClient(TestServer(app, host="127.0.0.1"))
    await served.start_server()
    yield served
    await served.close()


async def post(client: TestClient, rows: Iterable[tuple[str, float, float]]) -> int:
    """Send `rows` as a real exporter would: batches of at most 5,000 samples."""
    samples = [{"metric": m, "value": v, "at": at} for m, at, v in rows]
    stored = 0
    for first in range(0, len(samples), 5000):
        batch = samples[first : first + 5000]
        resp = await client.post("/api/metrics", json={"samples": batch}, headers=AUTH)
        assert resp.status == 200, await resp.text()
        stored += (await resp.json())["stored"]
    return stored


def feed(deps: Deps, service: Service, days: float = DAYS) -> Reality:
    """Straight into the store the intake writes (for the cases that are not about the
    intake itself), then the reality computation over it."""
    start = T0 - timedelta(days=days)
    deps.store.metrics.add_rows(list(service.rows(deps.plan, start, days, STEP)))
    return reality_of(deps.store, deps.plan, T0)


def within(measured: float | None, truth: float, share: float = 0.05) -> bool:
    return measured is not None and abs(measured - truth) <= share * abs(truth)


async def test_reality_recovers_every_parameter_of_the_simulated_service_within_5_percent(
    deps: Deps, client: TestClient
) -> None:
    service = Service()
    plan: Plan = deps.plan
    start = T0 - timedelta(days=DAYS)
    assert await post(client, service.rows(plan, start, DAYS, STEP)) > 40_000
    reality = reality_of(deps.store, plan, T0)
    efficiency = float(plan.formulas.compute.efficiency)
    truth = {
        "requests_per_user": service.requests_per_user,
        "service_demand": service.demand_s * 1000,
        "rps_per_vcpu": efficiency / service.demand_s,
        "mean_response": service.mean_ms,
        "connections_per_container": service.connections_per_container,
        "storage_per_user": service.files_mb,
        "growth_month": service.storage_growth_month(plan),
    }
    for key, value in truth.items():
        assert within(reality.measured(key), value), (key, reality.measured(key), value)
    # The database against the plan's size at today's users: the simulated factor.
    db = reality.row("database_size")
    assert db is not None and db.value is not None
    assert within(db.value / db.plan, service.db_factor)
    assert reality.peak_ratio is not None and within(reality.peak_ratio, 1 + service.swing)


def test_each_row_says_what_the_measured_value_changes(deps: Deps) -> None:
    reality = feed(deps, Service())
    storage = reality.row("storage_per_user")
    assert storage is not None
    # 1,000 users x 31 MB + the plan's 5 GB database, against 1,000 x 20 MB + 5 GB.
    assert "Tier 1 storage 25GB → 36GB" in storage.sentence()
    assert "`Storage > 40GB` reached at about" in storage.sentence()
    assert storage.sentence().startswith(
        "Storage per user (files): plan 20MB, measured 31MB (+55%)"
    )
    connections = reality.row("connections_per_container")
    assert connections is not None
    # (100 - 25 jobs) / 12 = 6.25 containers, against (100 - 25) / 10 = 7.5.
    assert "fits 6, not 7, API containers" in connections.sentence()


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("files_mb", "storage_per_user"),
        ("requests_per_user", "requests_per_user"),
        ("demand_s", "service_demand"),
        ("connections_per_container", "connections_per_container"),
    ],
)
def test_an_assumption_drifted_40_percent_is_off_and_10_percent_is_not(
    field: str, key: str, deps: Deps
) -> None:
    true = plan_true(deps.plan)
    assert feed(deps, true).off() == []
    far = replace(true, **{field: getattr(true, field) * 1.4})
    near = replace(true, **{field: getattr(true, field) * 1.1})
    off = feed(make_deps(Clock()), far).off()
    assert key in [row.key for row in off]
    assert all(within(row.drift_pct, 40, 0.2) for row in off if row.key == key)
    assert feed(make_deps(Clock()), near).off() == []


def test_too_little_data_says_what_each_row_still_needs(deps: Deps) -> None:
    reality = feed(deps, Service(), days=1.5)
    assert reality.rows and all(row.value is None for row in reality.rows)
    storage = reality.row("storage_per_user")
    assert storage is not None
    text = storage.sentence()
    assert "needs 3 days (of 18+ hours each) and 100 samples" in text
    assert "has 1 day" in text
    assert reality.off() == []


def test_a_plan_may_name_its_own_metric_for_a_role(deps: Deps) -> None:
    plan = deps.plan
    renamed = plan.model_copy(
        update={
            "reality": plan.reality.model_copy(
                update={"metrics": plan.reality.metrics.model_copy(update={"requests": "rps"})}
            )
        }
    )
    rows = [
        (("rps" if m == "api_rps" else m), at, v)
        for m, at, v in Service().rows(plan, T0 - timedelta(days=5), 5, STEP)
    ]
    deps.store.metrics.add_rows(rows)
    reality = reality_of(deps.store, renamed, T0)
    assert within(reality.measured("requests_per_user"), Service().requests_per_user)
    assert reality_of(deps.store, plan, T0).measured("requests_per_user") is None


@pytest.mark.parametrize("text", ["reality", "whatif users 5000", "whatif price 30", "status"])
def test_the_answers_are_block_kit_within_slacks_limits(deps: Deps, text: str) -> None:
    feed(deps, Service())
    ctx = Context(plan=deps.plan, now=T0, store=deps.store)
    reply = build_router().dispatch(text, ctx)
    assert not reply.error
    message = render_message(reply)
    assert validate_blocks(message["blocks"]) == []
    view = render_home(home_reply(ctx, build_router()))
    assert validate_view(view) == []


def test_reality_without_a_database_says_so() -> None:
    ctx = Context(plan=default_plan(), now=T0)
    answer = render_text(build_router().dispatch("reality", ctx))
    assert "no database of samples" in answer
