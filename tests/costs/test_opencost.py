"""OpenCost's allocation pulled into the cost store from a stand-in on 127.0.0.1 that
answers as OpenCost's API documents: mapped by the same rules, a day counted once,
bills winning a day both cover, a failing pull reported and never raised."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from bot.commands import build_router
from bot.commands.spend import gather_spend
from bot.jobs.opencost import SOURCE, pull_opencost
from bot.render.text import render_text
from tests.costs.conftest import costed_plan, deps_for
from tests.costs.test_bill_import import load
from tests.fakeslack import FakeSlack
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import Clock
from tests.web.served import served, slash

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)  # the served bot's clock too
RULES = [
    {"provider": "OpenCost", "resource": "api", "component": "API"},
    {"provider": "OpenCost", "tag": "app=postgres", "component": "Database"},
]


def _allocation(name: str, total: float, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "properties": {"cluster": "prod", "namespace": name, "labels": labels},
        "window": {"start": "2026-11-26T00:00:00Z", "end": "2026-11-27T00:00:00Z"},
        "start": "2026-11-26T00:00:00Z",
        "end": "2026-11-27T00:00:00Z",
        "minutes": 1440,
        "cpuCost": total * 0.6,
        "ramCost": total * 0.3,
        "pvCost": total * 0.1,
        "networkCost": 0,
        "sharedCost": 0,
        "externalCost": 0,
        "totalCost": total,
    }


class StandIn:
    """OpenCost's /allocation: remembers each query, answers what the test sets."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []
        self.status = 200
        self.body: Any = {
            "code": 200,
            "data": [
                {
                    "api": _allocation("api", 1.25, {"app": "api"}),
                    "db": _allocation("db", 0.75, {"app": "postgres"}),
                    "__idle__": _allocation("__idle__", 0.5, {}),
                }
            ],
        }

    async def allocation(self, request: web.Request) -> web.Response:
        self.queries.append(dict(request.query))
        if self.status != 200:
            return web.Response(status=self.status, text="upstream broke")
        if isinstance(self.body, bytes):
            return web.Response(body=self.body, content_type="application/json")
        return web.json_response(self.body)


@pytest.fixture
async def opencost() -> AsyncIterator[tuple[StandIn, str]]:
    stand_in = StandIn()
    app = web.Application()
    app.router.add_get("/allocation", stand_in.allocation)
    runner, port = await serve_local(app)
    yield stand_in, f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_yesterday_is_pulled_mapped_and_counted_once(
    opencost: tuple[StandIn, str],
) -> None:
    stand_in, url = opencost
    plan = costed_plan(rules=RULES)
    deps = deps_for(plan, Clock(NOW))
    try:
        first = await pull_opencost(plan, deps.store, url, deps.clock)
        again = await pull_opencost(plan, deps.store, url, deps.clock)
        result = gather_spend(deps.store.costs, plan, NOW)
        source = {s.name: s for s in deps.store.metrics.sources()}[SOURCE]
    finally:
        deps.close()
    assert first.stored == 3 and again.stored == 3
    assert stand_in.queries[0] == {
        "window": "2026-11-26T00:00:00Z,2026-11-27T00:00:00Z",
        "aggregate": "namespace",
        "accumulate": "true",
    }
    actual = {c.name: c.actual for c in result.components}
    # api 1.25 by its name, db 0.75 by its label; idle 0.50 unassigned: 2.50 once.
    assert actual["API"] == pytest.approx(1.25) and actual["Database"] == pytest.approx(0.75)
    assert result.unassigned.actual == pytest.approx(0.5)
    assert result.actual == pytest.approx(2.5) and result.opencost == pytest.approx(2.5)
    assert source.ok


async def test_a_bill_covering_the_day_wins(opencost: tuple[StandIn, str]) -> None:
    _, url = opencost
    plan = costed_plan(rules=RULES)
    deps = deps_for(plan, Clock(NOW))
    try:
        await pull_opencost(plan, deps.store, url, deps.clock)
        # The cloud's bill for the same day (the cluster's nodes): $3 for API.
        load(deps.store, plan, b"2026-11-26,Railway,3\n")
        result = gather_spend(deps.store.costs, plan, NOW)
        text = render_text(build_router().dispatch("spend", deps.context("U1")))
    finally:
        deps.close()
    # Only the bill's $3: OpenCost's $2.50 for that day is the same money, left out.
    assert result.actual == pytest.approx(3.0) and result.opencost == 0
    assert "OpenCost's allocation" not in text


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, None, "HTTP 500"),
        (200, b"{not json", "JSONDecodeError"),
        (200, {"code": 500, "message": "no data"}, "OpenCost answered code 500"),
        (200, {"code": 200, "data": [{"api": {"totalCost": "lots"}}]}, "no numeric totalCost"),
    ],
)
async def test_a_failing_pull_is_reported_never_raised(
    opencost: tuple[StandIn, str],
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: Any,
    error: str,
) -> None:
    stand_in, url = opencost
    stand_in.status = status
    if body is not None:
        stand_in.body = body
    secret_url = url.replace("http://", "http://reader:oc-pass-9x2@")
    plan = costed_plan(rules=RULES)
    deps = deps_for(plan, Clock(NOW))
    caplog.set_level(logging.WARNING)
    try:
        result = await pull_opencost(plan, deps.store, secret_url, deps.clock)
        source = {s.name: s for s in deps.store.metrics.sources()}[SOURCE]
        text = render_text(build_router().dispatch("status", deps.context("U1")))
        lines = deps.store.db.execute("SELECT COUNT(*) FROM cost_lines").fetchone()[0]
    finally:
        deps.close()
    assert result.error is not None and error in result.error
    assert not source.ok and lines == 0
    assert "opencost pull failing since" in text
    assert "oc-pass-9x2" not in caplog.text and "oc-pass-9x2" not in text


async def test_the_served_bot_pulls_and_spend_shows_it(
    opencost: tuple[StandIn, str], slack: FakeSlack, tmp_path: Path
) -> None:
    stand_in, url = opencost
    plan_file = tmp_path / "plan.yaml"
    data = costed_plan(rules=RULES).model_dump(mode="json", exclude_defaults=True)
    plan_file.write_text(yaml.safe_dump(data))
    async with (
        served(slack, plan_path=plan_file, opencost_url=url) as bot,
        aiohttp.ClientSession() as http,
    ):
        for _ in range(100):  # the first pull runs a second after start
            if stand_in.queries:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
            health = await resp.json()
        reply = await slash(http, bot, "spend")
    assert health["metrics"]["sources"]["opencost"]["ok"] is True
    text = str(reply)
    assert "OpenCost" in text and "Spend, November 2026" in text
