"""A metric's range (`min`/`max` in the plan; percentages 0-100, everything else >= 0 by
default) is enforced by every intake: the slash command, POST /api/metrics and the
Prometheus pull. Nothing outside it is stored, and each says which range it broke."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.commands import build_router
from bot.commands.metrics import status
from bot.domain.plan import Metric, Plan
from bot.jobs.alerts import metrics_health
from bot.jobs.prometheus import poll_prometheus
from bot.planio.planfile import PlanError, default_plan_text, parse_plan
from bot.render.text import render_text
from bot.web.ingest import make_metrics_routes
from tests.jobs.test_prometheus import with_query
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import TOKEN, Clock, make_deps

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_defaults_percentages_0_to_100_everything_else_not_negative(plan: Plan) -> None:
    cpu, mau, cost = plan.metric("cpu_pct"), plan.metric("mau"), plan.metric("cost_usd")
    assert cpu and mau and cost
    assert cpu.bounds == (0, 100) and mau.bounds == (0, None) and cost.bounds == (0, None)
    assert cpu.range_problem(150) == "150% is above cpu_pct's maximum of 100%"
    assert mau.range_problem(-5) == "-5 users is below mau's minimum of 0 users"
    assert cost.range_problem(-5.5) == "-$5.50 is below cost_usd's minimum of $0"
    assert cpu.range_problem(100) is None and mau.range_problem(0) is None


def test_a_metric_may_declare_its_own_range_or_none() -> None:
    growth = Metric(name="growth_pct", description="g", unit="%", min=-50, max=500)
    assert growth.bounds == (-50, 500) and growth.range_problem(-20) is None
    free = Metric(name="delta", description="d", min=None)
    assert free.bounds == (None, None) and free.range_problem(-1e9) is None
    assert free.range_text() == "any value"


def _with_metric_range(**bounds: Any) -> str:
    data = yaml.safe_load(default_plan_text())
    for metric in data["metrics"]:
        if metric["name"] == "cpu_pct":
            metric.update(bounds)
    return yaml.safe_dump(data, sort_keys=False)


def test_check_plan_refuses_min_not_below_max() -> None:
    with pytest.raises(PlanError) as refused:
        parse_plan(_with_metric_range(min=90, max=10), "plan.yaml")
    assert any(
        "metrics" in p and "min (90) must be below max (10)" in p for p in refused.value.problems
    )
    assert parse_plan(_with_metric_range(min=0, max=400)).metric("cpu_pct").bounds == (0, 400)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "metric cpu_pct 150",
            "150% is above cpu_pct's maximum of 100% (cpu_pct takes 0% to 100%)",
        ),
        ("metric cpu_pct -20", "-20% is below cpu_pct's minimum of 0% (cpu_pct takes 0% to 100%)"),
        ("metric mau -5", "-5 users is below mau's minimum of 0 users (mau takes 0 users or more)"),
        ("metric cost_usd -$10", "-$10 is below cost_usd's minimum of $0"),
    ],
)
def test_the_slash_command_refuses_out_of_range_values_naming_the_range(
    text: str, message: str
) -> None:
    deps = make_deps(Clock())
    shown = render_text(build_router().dispatch(text, deps.context(user_id="U1")))
    assert shown.startswith("Error") and message in shown
    assert deps.store.metrics.count() == 0


@pytest.fixture
async def client() -> AsyncIterator[tuple[TestClient, Any]]:
    deps = make_deps(Clock())
    app = web.Application()
    app.add_routes(make_metrics_routes(deps))
    test_client = TestClient(TestServer(app, host="127.0.0.1"))
    await test_client.start_server()
    yield test_client, deps
    await test_client.close()


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ({"metric": "cpu_pct", "value": 150}, "150% is above cpu_pct's maximum of 100%"),
        ({"metric": "cpu_pct", "value": -20}, "-20% is below cpu_pct's minimum of 0%"),
        ({"metric": "mau", "value": -5}, "-5 users is below mau's minimum of 0 users"),
    ],
)
async def test_http_ingest_is_422_naming_the_sample_and_stores_nothing(
    client: tuple[TestClient, Any], sample: dict[str, Any], reason: str
) -> None:
    http, deps = client
    body = {"samples": [{"metric": "mau", "value": 850}, sample]}
    resp = await http.post("/api/metrics", json=body, headers=AUTH)
    assert resp.status == 422
    answer = await resp.json()
    assert answer["index"] == 1 and reason in answer["reason"]
    assert answer["error"].startswith("samples[1]: ")
    assert deps.store.metrics.count() == 0  # the good sample before it is not kept either


async def _prometheus(values: dict[str, float]) -> tuple[web.AppRunner, str]:
    async def query(request: web.Request) -> web.Response:
        value = values[request.query["query"]]
        return web.json_response(
            {
                "status": "success",
                "data": {"resultType": "vector", "result": [{"value": [1795600800, str(value)]}]},
            }
        )

    app = web.Application()
    app.router.add_get("/api/v1/query", query)
    runner, port = await serve_local(app, access_log=None)
    return runner, f"http://127.0.0.1:{port}"


async def test_the_prometheus_pull_skips_out_of_range_and_reports_it(
    plan: Plan, tmp_path: Path
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    pulled = with_query(with_query(plan, "cpu_pct", "cpu"), "mau", "mau")
    runner, url = await _prometheus({"cpu": 150.0, "mau": 850.0})
    try:
        result = await poll_prometheus(pulled, deps.store, url, clock)
    finally:
        await runner.cleanup()
    assert result.ok and result.stored == 1
    assert result.skipped == {"cpu_pct": "150% is above cpu_pct's maximum of 100%"}
    assert deps.store.metrics.latest("cpu_pct") is None
    assert deps.store.metrics.latest("mau").value == 850  # type: ignore[union-attr]
    health = metrics_health(deps)["sources"]["prometheus"]
    assert health["ok"] is True and "cpu_pct" in health["skipped"]
    foot = render_text(status([], deps.context(user_id="U1")))
    assert "skipped (not stored): 150% is above cpu_pct's maximum of 100%" in foot


async def test_a_clean_pull_clears_what_was_skipped(plan: Plan) -> None:
    clock = Clock()
    deps = make_deps(clock)
    pulled = with_query(plan, "cpu_pct", "cpu")
    values = {"cpu": 150.0}
    runner, url = await _prometheus(values)
    try:
        await poll_prometheus(pulled, deps.store, url, clock)
        values["cpu"] = 40.0
        await poll_prometheus(pulled, deps.store, url, clock)
    finally:
        await runner.cleanup()
    assert "skipped" not in metrics_health(deps)["sources"]["prometheus"]
    assert deps.store.metrics.latest("cpu_pct").value == 40  # type: ignore[union-attr]


def test_ranges_survive_writing_the_plan_out_and_reading_it_back(plan: Plan) -> None:
    from bot.planio.doc_write import export_document
    from bot.planio.document import import_document

    changed = {"db_connections": {"max": 500.0}, "revenue_usd": {"min": None}}
    metrics = tuple(Metric(**{**m.model_dump(), **changed.get(m.name, {})}) for m in plan.metrics)
    ranged = plan.model_copy(update={"metrics": metrics})
    # A bound left out stays left out (a default), an explicit null stays "no bound".
    assert "max" not in ranged.metric("mau").model_dump()  # type: ignore[union-attr]
    for again in (
        Plan.model_validate(ranged.model_dump()),
        import_document(export_document(ranged)).plan,
    ):
        for name in ("db_connections", "revenue_usd", "cpu_pct", "mau"):
            assert again.metric(name).bounds == ranged.metric(name).bounds, name  # type: ignore[union-attr]
