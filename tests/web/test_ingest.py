"""POST /api/metrics: every error answer, and whole-or-nothing batches."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.deps import Deps
from bot.web.ingest import MAX_BODY, make_metrics_routes
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import T0, TOKEN, Clock, make_deps

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Deps], Any]]:
    clients: list[TestClient] = []

    async def start(deps: Deps) -> TestClient:
        app = web.Application()
        app.add_routes(make_metrics_routes(deps))
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
def deps() -> Deps:
    return make_deps(Clock())


async def test_a_good_batch_is_stored(serve: Any, deps: Deps) -> None:
    client = await serve(deps)
    body = {
        "samples": [
            {"metric": "mau", "value": 850, "at": "2026-11-27T09:59:00Z"},
            {"metric": "cpu_pct", "value": 41.5},
        ]
    }
    resp = await client.post("/api/metrics", json=body, headers=AUTH)
    assert resp.status == 200
    assert (await resp.json())["stored"] == 2
    latest = deps.store.metrics.latest("cpu_pct")
    assert latest is not None and latest.at == T0  # `at` omitted = the injected clock's now
    assert deps.store.metrics.latest("mau").value == 850  # type: ignore[union-attr]


async def test_missing_token_is_401(serve: Any, deps: Deps) -> None:
    client = await serve(deps)
    resp = await client.post("/api/metrics", json={"samples": []})
    assert resp.status == 401
    assert "token" in (await resp.json())["error"]


async def test_wrong_token_is_401(serve: Any, deps: Deps) -> None:
    client = await serve(deps)
    for header in ("Bearer nope", f"Basic {TOKEN}", f"Bearer {TOKEN}x"):
        resp = await client.post(
            "/api/metrics", json={"samples": []}, headers={"Authorization": header}
        )
        assert resp.status == 401, header


async def test_endpoint_is_off_without_a_token(serve: Any) -> None:
    client = await serve(make_deps(Clock(), ingest_token=None))
    resp = await client.post("/api/metrics", json={"samples": []}, headers=AUTH)
    assert resp.status == 404


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b'{"rows": []}', b"[]", b'{"samples": []}']
)
async def test_malformed_body_is_400(serve: Any, deps: Deps, body: bytes) -> None:
    client = await serve(deps)
    resp = await client.post("/api/metrics", data=body, headers=AUTH)
    assert resp.status == 400
    assert (await resp.json())["error"]


async def test_too_large_body_is_413(serve: Any, deps: Deps) -> None:
    client = await serve(deps)
    big = b'{"samples": [' + b" " * MAX_BODY + b"]}"
    resp = await client.post("/api/metrics", data=big, headers=AUTH)
    assert resp.status == 413


async def test_too_large_chunked_body_is_413(serve: Any, deps: Deps) -> None:
    client = await serve(deps)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * (64 * 1024)

    # No Content-Length: the size is checked while reading.
    resp = await client.post("/api/metrics", data=chunks(), headers=AUTH)
    assert resp.status == 413


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ({"metric": "nope", "value": 1}, "unknown metric"),
        ({"metric": "mau", "value": "NaN"}, "must be a number"),
        ({"metric": "mau", "value": True}, "must be a number"),
        ({"metric": "mau", "value": "12"}, "must be a number"),
        ({"metric": "mau", "value": 1, "at": "2026-11-29T10:00:00Z"}, "future"),
        ({"metric": "mau", "value": 1, "at": "yesterday"}, "bad timestamp"),
        ({"metric": "mau", "value": 1, "at": "2026-11-27T10:00:00"}, "zone"),
        ({"metric": "mau", "value": 1, "at": 1e300}, "bad timestamp"),
        ({"metric": "mau", "value": 1, "at": 10**400}, "bad timestamp"),
        ({"metric": "mau", "value": 10**400}, "value out of range"),
        ({"metric": "mau", "value": -(10**400)}, "value out of range"),
        ({"metric": "mau", "value": 1, "at": "0001-01-01T00:00:00Z"}, "30-day retention"),
        ({"metric": "mau", "value": 1, "at": "2026-10-28T09:59:59Z"}, "30-day retention"),
        ({"metric": "mau", "value": 1, "at": 0}, "30-day retention"),
        ({"metric": "mau", "value": 1, "at": 1793181599}, "30-day retention"),
        ({"metric": "mau", "value": 1, "extra": 2}, "unexpected field"),
        ("mau=1", "object"),
    ],
)
async def test_bad_sample_is_422_naming_it_and_nothing_is_stored(
    serve: Any, deps: Deps, sample: Any, reason: str
) -> None:
    client = await serve(deps)
    good = {"metric": "mau", "value": 10}
    resp = await client.post("/api/metrics", json={"samples": [good, sample]}, headers=AUTH)
    assert resp.status == 422
    answer = await resp.json()
    assert answer["index"] == 1
    assert reason in answer["reason"]
    assert "samples[1]" in answer["error"]
    assert deps.store.metrics.count() == 0


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_values_are_422(serve: Any, deps: Deps, raw: bytes) -> None:
    client = await serve(deps)
    body = b'{"samples": [{"metric": "mau", "value": ' + raw + b"}]}"
    resp = await client.post("/api/metrics", data=body, headers=AUTH)
    assert resp.status == 422
    assert "finite" in (await resp.json())["reason"]
    assert deps.store.metrics.count() == 0


async def test_a_real_client_over_tcp(deps: Deps) -> None:
    app = web.Application()
    app.add_routes(make_metrics_routes(deps))
    runner, port = await serve_local(app)
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            body = json.dumps({"samples": [{"metric": "mau", "value": 3}]})
            async with http.post(
                f"http://127.0.0.1:{port}/api/metrics", data=body, headers=AUTH
            ) as resp:
                assert resp.status == 200
    finally:
        await runner.cleanup()
    assert deps.store.metrics.count() == 1


async def test_a_sample_just_inside_the_retention_window_is_stored(serve: Any, deps: Deps) -> None:
    client = await serve(deps)
    body = {"samples": [{"metric": "mau", "value": 1, "at": "2026-10-28T10:00:00Z"}]}
    resp = await client.post("/api/metrics", json=body, headers=AUTH)
    assert resp.status == 200


async def test_the_retention_limit_follows_the_setting(serve: Any) -> None:
    client = await serve(make_deps(Clock(), raw_retention_days=7))
    body = {"samples": [{"metric": "mau", "value": 1, "at": "2026-11-19T10:00:00Z"}]}
    resp = await client.post("/api/metrics", json=body, headers=AUTH)
    assert resp.status == 422
    assert "older than the 7-day retention" in (await resp.json())["error"]
