"""POST /api/costs through a served aiohttp app, and `capacity-bot import-costs FILE`."""

from __future__ import annotations

import gzip
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app.costs import import_costs_file
from bot.core.config import Settings
from bot.deps import Deps
from bot.web.costs import make_cost_routes
from bot.web.ingest import MAX_BODY
from store import Store
from tests.costs.conftest import DATA, deps_for
from tests.support.metrics_helpers import TOKEN, Clock

AUTH = {"Authorization": f"Bearer {TOKEN}"}
FOCUS = (DATA / "focus-december.csv").read_bytes()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Deps], Any]]:
    clients: list[TestClient] = []

    async def start(deps: Deps) -> TestClient:
        app = web.Application()
        app.add_routes(make_cost_routes(deps))
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


def _count(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM cost_lines").fetchone()[0])


async def test_a_focus_export_is_stored_and_said(serve: Any, plan: Any) -> None:
    deps = deps_for(plan, Clock())
    client = await serve(deps)
    resp = await client.post("/api/costs?name=aws-dec.csv", data=gzip.compress(FOCUS), headers=AUTH)
    body = await resp.json()
    assert resp.status == 200, body
    assert body["stored"] == 7 and body["kind"] == "focus"
    assert body["summary"] == "aws-dec.csv: FOCUS export, 7 line(s), $99.50"
    again = await (await client.post("/api/costs", data=FOCUS, headers=AUTH)).json()
    assert again["replaced"] == 7 and _count(deps.store) == 7


async def test_a_bad_bill_is_422_with_every_line_and_nothing_stored(serve: Any, plan: Any) -> None:
    deps = deps_for(plan, Clock())
    client = await serve(deps)
    body = b"date,vendor,amount\n2026-12-01,Railway,1\n2026-12-02,=cmd(),2\n2026-12-xx,Railway,3\n"
    resp = await client.post("/api/costs", data=body, headers=AUTH)
    answer = await resp.json()
    assert resp.status == 422
    assert answer["problems"] == [
        "line 3: vendor starts with '=': a spreadsheet formula, refused",
        "line 4: date '2026-12-xx' is not a day (2026-12-03) or a month (2026-12)",
    ]
    assert "date,vendor,amount" in answer["expected"]
    assert _count(deps.store) == 0


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, FOCUS, 401),
        ({"Authorization": "Bearer wrong"}, FOCUS, 401),
        (AUTH, b"x" * (MAX_BODY + 1), 413),
        (AUTH, gzip.compress(b"2026-12-01,Railway,1\n" * 4_000_000), 413),
        (AUTH, b"\x1f\x8bnot gzip", 400),
    ],
)
async def test_refusals_answer_json_reasons(
    serve: Any, plan: Any, headers: dict[str, str], body: bytes, status: int
) -> None:
    deps = deps_for(plan, Clock())
    client = await serve(deps)
    resp = await client.post("/api/costs", data=body, headers=headers)
    assert resp.status == status
    assert (await resp.json())["ok"] is False
    assert _count(deps.store) == 0


async def test_without_a_token_the_endpoint_is_not_there(serve: Any, plan: Any) -> None:
    deps = deps_for(plan, Clock(), ingest_token=None)
    client = await serve(deps)
    assert (await client.post("/api/costs", data=FOCUS)).status == 404


def test_import_costs_reads_gzip_and_refuses_whole(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "c.db")
    out, err = io.StringIO(), io.StringIO()
    packed = tmp_path / "aws.csv.gz"
    packed.write_bytes(gzip.compress(FOCUS))
    assert import_costs_file(str(packed), settings, out, err) == 0
    assert out.getvalue() == f"{packed}: FOCUS export, 7 line(s), $99.50\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(FOCUS.replace(b",60.00,0.00,", b",1e308,0.00,"))
    assert import_costs_file(str(bad), settings, out, err) == 1
    assert "line 4: '1e308' is out of range" in err.getvalue()
    plain = DATA / "plain-saas.csv"
    assert import_costs_file(str(plain), settings, out, err) == 0
    assert import_costs_file(str(plain), settings, out, err) == 0
    assert out.getvalue().splitlines()[-1].endswith("; nothing added")
    store = Store(tmp_path / "c.db")
    try:
        assert _count(store) == 7 + 5
    finally:
        store.close()
