"""Heavy work runs off the event loop: Slack is answered while it runs.

Nothing here is timed. Work that must not run on the loop is made to wait, on its own
thread, until the loop has answered a request; had it run on the loop, the loop could not
answer, the wait would run out, and the test fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.offload import in_child_process
from bot.jobs.alerts import start_jobs
from bot.web.ingest import make_metrics_routes
from store import Store
from tests.jobs.test_alerts import NullPoster
from tests.slack.harness import GOOD, NOW, rig, view_submission
from tests.support.metrics_helpers import TOKEN, Clock, make_deps

WAIT = 10.0  # a bound, not a timing: only a loop that never answers reaches it


class Gate:
    """Lets a worker thread hold its work until the loop has answered (or WAIT runs out)."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.answered = threading.Event()
        self.threads: set[int] = set()
        self.ran_out = False

    def hold(self) -> None:
        self.threads.add(threading.get_ident())
        self.reached.set()
        if not self.answered.wait(WAIT):
            self.ran_out = True

    async def wait_reached(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, WAIT), "the work never started"


def backfill(store: Store, days: int = 3) -> None:
    start = NOW - timedelta(days=days)
    rows = [
        (metric, (start + timedelta(minutes=m)).timestamp(), float(m % 60))
        for metric in ("mau", "cpu_pct")
        for m in range(days * 24 * 60)
    ]
    store.metrics.add_rows(rows)


async def test_slack_is_answered_while_the_rollup_of_a_backfill_runs(tmp_path: Path) -> None:
    gate = Gate()
    async with rig(store=Store(tmp_path / "capacity.db")) as r:
        backfill(r.deps.store)
        scheduler = AsyncIOScheduler()
        start_jobs(r.deps, NullPoster(), scheduler, pause=lambda seconds: gate.hold())
        rollup = scheduler.get_job("metrics.rollup").func
        running = asyncio.create_task(rollup())
        await gate.wait_reached()
        status, body = await r.slash("tier 2")
        gate.answered.set()
        await running
        assert r.deps.store.metrics.rollups("mau", NOW - timedelta(days=3), NOW)
    assert status == 200 and "Tier 2" in json.dumps(body)
    assert not gate.ran_out
    assert threading.get_ident() not in gate.threads


class HeldChanges:
    """The change store, but `all()` (what an export reads) and `latest()` (what
    `changes` reads) wait at the gate first."""

    def __init__(self, inner: Any, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    def all(self, **kwargs: Any) -> Any:
        self.gate.hold()
        return self.inner.all(**kwargs)

    def latest(self, *args: Any) -> Any:
        self.gate.hold()
        return self.inner.latest(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_an_answer_that_reads_the_store_is_computed_on_a_worker_thread() -> None:
    gate = Gate()
    async with rig() as r:
        r.deps.store.changes = HeldChanges(r.deps.store.changes, gate)  # type: ignore[assignment]
        reading = asyncio.create_task(r.slash("changes"))
        await gate.wait_reached()
        status, body = await r.slash("tier 2")
        gate.answered.set()
        changes_status, _ = await reading
    assert status == 200 and "Tier 2" in json.dumps(body) and changes_status == 200
    assert not gate.ran_out and threading.get_ident() not in gate.threads


async def test_an_export_of_an_in_memory_log_is_built_on_a_worker_thread() -> None:
    gate = Gate()
    async with rig() as r:
        r.deps.store.changes = HeldChanges(r.deps.store.changes, gate)  # type: ignore[assignment]
        await r.slash("changes export")
        await gate.wait_reached()
        status, _ = await r.slash("tier 2")
        gate.answered.set()
        files = await r.fake.wait_for(
            lambda: [f for f in r.fake.files.values() if f.completed], timeout=WAIT
        )
    assert status == 200 and not gate.ran_out
    assert threading.get_ident() not in gate.threads
    assert sorted(f.name for f in files) == ["change-log.csv", "change-log.md"]


async def test_an_export_of_a_database_file_is_built_in_another_process(tmp_path: Path) -> None:
    gate = Gate()
    async with rig(store=Store(tmp_path / "capacity.db")) as r:
        await r.post_json(view_submission(GOOD))
        # Nothing in this process reads the log for the export: the child opens the file.
        r.deps.store.changes = HeldChanges(r.deps.store.changes, gate)  # type: ignore[assignment]
        await r.slash("changes export")
        files = await r.fake.wait_for(
            lambda: [f for f in r.fake.files.values() if f.completed], timeout=WAIT * 3
        )
    assert not gate.reached.is_set()
    markdown = next(f for f in files if f.name == "change-log.md")
    assert markdown.data is not None and GOOD["change"].encode() in markdown.data


async def test_a_full_ingest_batch_is_stored_on_a_worker_thread() -> None:
    deps = make_deps(Clock())
    gate = Gate()
    add_rows: Callable[..., int] = deps.store.metrics.add_rows

    def held_add_rows(rows: Any) -> int:
        gate.hold()
        return add_rows(rows)

    deps.store.metrics.add_rows = held_add_rows  # type: ignore[method-assign]
    app = web.Application()
    app.add_routes(make_metrics_routes(deps))
    app.router.add_get("/ping", _pong)
    body = {
        "samples": [
            {"metric": "mau", "value": i, "at": (NOW - timedelta(minutes=i)).isoformat()}
            for i in range(1000)
        ]
    }
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        posting = asyncio.create_task(client.post("/api/metrics", json=body, headers=auth))
        await gate.wait_reached()
        pong = await client.get("/ping")
        gate.answered.set()
        response = await posting
        assert pong.status == 200 and response.status == 200
        assert (await response.json())["stored"] == 1000
    assert not gate.ran_out and threading.get_ident() not in gate.threads


async def _pong(request: web.Request) -> web.Response:
    return web.Response(text="pong")


async def test_a_child_process_does_the_work_it_is_given() -> None:
    assert await in_child_process(os.getpid) != os.getpid()
