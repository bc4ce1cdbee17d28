"""The Prometheus pull against a real Prometheus on 127.0.0.1, and when it is unreachable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain.plan import Plan
from bot.jobs.alerts import metrics_health, start_jobs
from bot.jobs.prometheus import poll_prometheus, redact
from bot.plan_cli import plan_yaml
from bot.reload import reload_plan_off_loop
from store import Store
from tests.jobs.test_alerts import NullPoster
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.serve_process import PROMETHEUS, free_port, prometheus_process


def with_query(plan: Plan, metric: str, query: str) -> Plan:
    metrics = tuple(
        m.model_copy(update={"query": query}) if m.name == metric else m for m in plan.metrics
    )
    return plan.model_copy(update={"metrics": metrics})


@contextlib.asynccontextmanager
async def exporter(text: str) -> AsyncIterator[int]:
    async def metrics(_: web.Request) -> web.Response:
        return web.Response(text=text, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def real_prometheus(tmp_path: Path, exposition: str) -> AsyncIterator[str]:
    """A real Prometheus on 127.0.0.1 scraping `exposition` every second; its URL once
    `capacity_mau` has been scraped (at most 30 s)."""
    if not Path(PROMETHEUS).exists():
        pytest.skip("prometheus binary not installed (apt-get install prometheus)")
    async with exporter(exposition) as target:
        with prometheus_process(target, tmp_path) as (url, proc):
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
                while True:
                    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                        async with http.get(
                            f"{url}/api/v1/query", params={"query": "capacity_mau"}
                        ) as resp:
                            body = await resp.json()
                            if body.get("data", {}).get("result"):
                                break
                    assert proc.poll() is None, "prometheus exited"
                    assert loop.time() < deadline, "prometheus did not scrape within 30 s"
                    await asyncio.sleep(0.25)
            yield url


@pytest.mark.slow
async def test_poller_stores_what_a_real_prometheus_scraped(plan: Plan, tmp_path: Path) -> None:
    async with real_prometheus(tmp_path, "# TYPE capacity_mau gauge\ncapacity_mau 8412\n") as url:
        store = Store()
        result = await poll_prometheus(with_query(plan, "mau", "capacity_mau"), store, url, Clock())
        assert result.ok and result.stored == 1
        sample = store.metrics.latest("mau")
        assert sample is not None and sample.value == 8412
        (status,) = store.metrics.sources()
        assert status.ok


@pytest.mark.slow
async def test_a_reload_that_adds_or_changes_a_query_is_pulled_without_a_restart(
    plan: Plan, tmp_path: Path
) -> None:
    assert not any(m.query for m in plan.metrics)  # started with nothing to pull
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(plan_yaml(plan), encoding="utf-8")
    exposition = "# TYPE capacity_mau gauge\ncapacity_mau 8412\n"
    async with real_prometheus(tmp_path, exposition) as url:
        clock = Clock()
        deps = make_deps(clock, prometheus_url=url, plan_path=plan_file)
        scheduler = AsyncIOScheduler()
        start_jobs(deps, NullPoster(), scheduler)
        pull = scheduler.get_job("metrics.prometheus")
        assert pull is not None  # scheduled at start although no metric had a query
        await pull.func()
        assert deps.store.metrics.latest("mau") is None

        plan_file.write_text(plan_yaml(with_query(plan, "mau", "capacity_mau")), "utf-8")
        assert (await reload_plan_off_loop(deps, by="test", now=clock())).applied
        await pull.func()
        sample = deps.store.metrics.latest("mau")
        assert sample is not None and sample.value == 8412

        plan_file.write_text(plan_yaml(with_query(plan, "mau", "capacity_mau * 2")), "utf-8")
        assert (await reload_plan_off_loop(deps, by="test", now=clock())).applied
        await asyncio.sleep(0.01)  # Prometheus stamps an instant query with its own now
        await pull.func()
        sample = deps.store.metrics.latest("mau")
        assert sample is not None and sample.value == 16824
        deps.close()


async def test_unreachable_prometheus_is_reported_not_fatal(plan: Plan) -> None:
    clock = Clock()
    deps = make_deps(clock, prometheus_url=f"http://127.0.0.1:{free_port()}")
    result = await poll_prometheus(
        with_query(plan, "mau", "capacity_mau"), deps.store, "http://127.0.0.1:1", clock, timeout=2
    )
    assert not result.ok and "mau" in result.errors
    (status,) = deps.store.metrics.sources()
    assert not status.ok and status.error
    health = metrics_health(deps)
    assert health["ok"] is False and health["sources"]["prometheus"]["ok"] is False


async def test_credentials_in_the_url_never_reach_the_log_or_healthz(
    plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    url = "http://scraper:hunter2@127.0.0.1:1"
    with caplog.at_level(logging.WARNING, logger="bot.jobs.prometheus"):
        await poll_prometheus(
            with_query(plan, "mau", "capacity_mau"), deps.store, url, clock, timeout=2
        )
    assert "hunter2" not in caplog.text and "http://127.0.0.1:1" in caplog.text
    clock.advance(minutes=1)
    health = metrics_health(deps)
    assert "hunter2" not in str(health)
    # Unauthenticated /healthz says whether and since when, not the raw error text.
    assert health["sources"]["prometheus"] == {
        "ok": False,
        "checked_at": "2026-11-27T10:00:00+00:00",
        "last_ok_at": None,
    }


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://u:p@host:9090/x", "http://host:9090/x"),
        ("GET https://user@h/api failed", "GET https://h/api failed"),
        (
            "url='http://a:b%40c@h:1/api/v1/query?query=up'",
            "url='http://h:1/api/v1/query?query=up'",
        ),
        ("http://host:9090/x?a=b@c", "http://host:9090/x?a=b@c"),
        ("no url here", "no url here"),
    ],
)
def test_redact_strips_userinfo(text: str, shown: str) -> None:
    assert redact(text) == shown


async def test_a_query_error_is_reported(plan: Plan) -> None:
    async def query(_: web.Request) -> web.Response:
        return web.json_response(
            {"status": "error", "errorType": "bad_data", "error": "parse error"}, status=400
        )

    app = web.Application()
    app.router.add_get("/api/v1/query", query)
    runner, port = await serve_local(app, access_log=None)
    try:
        store = Store()
        result = await poll_prometheus(
            with_query(plan, "mau", "bad("), store, f"http://127.0.0.1:{port}", Clock()
        )
    finally:
        await runner.cleanup()
    assert "parse error" in result.errors["mau"]
    assert store.metrics.count() == 0
