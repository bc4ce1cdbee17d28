"""`capacity-bot serve` as a real process while PagerDuty fails: the outbox job never
overruns its interval (APScheduler's "maximum number of running instances" warning every
3 s), and SIGTERM with a page in flight stops quietly (no traceback, no ERROR)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from store import Store
from tests.app.test_serve_process import spawn_serve
from tests.fakeslack import FakeSlack
from tests.notify.posters.helpers import routed_deps
from tests.support.local_server import serve_local
from tests.support.metrics_helpers import Clock
from tests.support.pdserver import ROUTING_KEY
from tests.support.serve_process import free_port, wait_healthy

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class FailingPagerDuty:
    """Answers 503 to every event, and holds the third one unanswered (a request in
    flight when SIGTERM comes)."""

    def __init__(self) -> None:
        self.requests = 0
        self.holding = asyncio.Event()
        self.url = ""

    async def _enqueue(self, request: web.Request) -> web.Response:
        await request.read()
        self.requests += 1
        if self.requests == 3:
            self.holding.set()
            await asyncio.sleep(30)  # ended by the test server's shutdown
        return web.json_response({"status": "unavailable"}, status=503)


@pytest.fixture
async def failing_pagerduty() -> AsyncIterator[FailingPagerDuty]:
    receiver = FailingPagerDuty()
    app = web.Application()
    app.router.add_post("/v2/enqueue", receiver._enqueue)
    runner, port = await serve_local(app, shutdown_timeout=0.1)
    receiver.url = f"http://127.0.0.1:{port}/v2/enqueue"
    yield receiver
    await runner.cleanup()


def queue_a_page(db: Path, url: str) -> None:
    """A p0 alert fired a few minutes ago: its page waits in the outbox."""
    clock = Clock(datetime.now(UTC) - timedelta(minutes=10))
    settings = {"pagerduty_routing_key": ROUTING_KEY, "pagerduty_url": url}
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"}, store=Store(db), **settings)
    for _ in range(6):
        deps.store.metrics.add_batch([Sample(metric="error_rate_pct", at=clock(), value=5)])
        evaluate_once(deps, clock())
        clock.advance(minutes=1)
    assert [r.route for r in deps.store.outbox.by_status("queued")] == ["pagerduty"]
    deps.close()


async def test_serve_with_pagerduty_failing_logs_no_repeats_and_stops_quietly(
    slack: FakeSlack, failing_pagerduty: FailingPagerDuty, tmp_path: Path
) -> None:
    db = tmp_path / "capacity.db"
    queue_a_page(db, failing_pagerduty.url)
    port = free_port()
    extra = {
        "CAPACITY_PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "CAPACITY_PAGERDUTY_URL": failing_pagerduty.url,
    }
    proc = await spawn_serve(slack, tmp_path, port, extra)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await wait_healthy(http, f"http://127.0.0.1:{port}", statuses=(200, 503))
        # Two refusals, then the third page hangs: several outbox intervals go by.
        await asyncio.wait_for(failing_pagerduty.holding.wait(), 30)
        await asyncio.sleep(4)  # more than one 3 s interval with the page in flight
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
        _, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = err.decode()
    assert code == 0, log
    assert "maximum number of running instances" not in log, log
    assert "Traceback" not in log and " ERROR " not in log, log
    warnings = [line.split(" WARNING ", 1)[1] for line in log.splitlines() if " WARNING " in line]
    assert len(warnings) == len(set(warnings)), log  # nothing said twice
    assert failing_pagerduty.requests == 3  # backoff between attempts, no hammering
