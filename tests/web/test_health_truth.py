"""/healthz tells the truth about the database: a file deleted or replaced under a served
bot, and a full disk (SQLite's own SQLITE_FULL, and an injected OSError(ENOSPC)), turn it
503 with the reason; a refused metric batch is a JSON 507; `status` and doctor say so."""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app.doctor import served_bot_check
from bot.app.serve import BotServer
from bot.commands import build_router
from bot.jobs.alerts import start_jobs
from bot.notify.slack import SlackPoster, make_client
from bot.render.text import render_text
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import TOKEN
from tests.web.served import served

TIMEOUT = aiohttp.ClientTimeout(total=10)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        yield session


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def healthz(http: aiohttp.ClientSession, bot: BotServer) -> tuple[int, dict[str, Any]]:
    async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
        return resp.status, await resp.json()


def status_text(bot: BotServer) -> str:
    return render_text(build_router().dispatch("status", bot.deps.context(user_id="U1")))


def batch(n: int) -> dict[str, Any]:
    """`n` distinct samples, a minute apart, up to the served bot's clock (NOW)."""
    return {
        "samples": [
            {
                "metric": "mau",
                "value": 800 + i % 100,
                "at": (NOW - timedelta(minutes=i)).isoformat(),
            }
            for i in range(n)
        ]
    }


async def test_a_database_file_deleted_under_a_served_bot_is_a_503_with_the_fix(
    http: aiohttp.ClientSession, slack: FakeSlack, tmp_path: Path
) -> None:
    path = tmp_path / "capacity.db"
    async with served(slack, store=Store(path), db_path=path) as bot:
        status, body = await healthz(http, bot)
        assert status == 200 and body["database"] == {"ok": True}
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            name.unlink(missing_ok=True)
        status, body = await healthz(http, bot)
        assert status == 503 and body["status"] == "unhealthy" and body["store"] is False
        (problem,) = body["database"]["problems"]
        assert "deleted" in problem
        assert str(tmp_path) not in json.dumps(body)  # no paths on an open endpoint
        text = status_text(bot)
        assert "database file was deleted" in text and f"back at {path}" in text
        bot.deps.settings = bot.deps.settings.model_copy(update={"port": bot.port})
        check = await served_bot_check(bot.deps.settings)
        assert check is not None and not check.ok and "deleted" in check.detail


async def test_a_database_file_replaced_under_a_served_bot_is_a_503(
    http: aiohttp.ClientSession, slack: FakeSlack, tmp_path: Path
) -> None:
    path = tmp_path / "capacity.db"
    async with served(slack, store=Store(path), db_path=path) as bot:
        Store(tmp_path / "other.db").close()
        shutil.move(tmp_path / "other.db", path)
        status, body = await healthz(http, bot)
        assert status == 503
        assert "replaced" in body["database"]["problems"][0]


async def test_a_full_disk_refuses_a_batch_with_a_json_507_and_health_says_so(
    http: aiohttp.ClientSession, slack: FakeSlack
) -> None:
    store = Store(":memory:")
    async with served(slack, store=store, ingest_token=TOKEN) as bot:
        (pages,) = store.db.execute("PRAGMA page_count").fetchone()
        # SQLite's own "database or disk is full" (SQLITE_FULL), as a full volume gives it.
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        url = f"http://127.0.0.1:{bot.port}/api/metrics"
        async with http.post(url, json=batch(2000), headers=AUTH) as resp:
            assert resp.status == 507
            assert resp.content_type == "application/json"
            answer = await resp.json()
        assert answer["ok"] is False and "disk holding the database is full" in answer["error"]
        assert "nothing was stored" in answer["error"]
        assert store.metrics.latest("mau") is None
        status, body = await healthz(http, bot)
        assert status == 503 and body["store"] is False
        assert body["database"]["problems"] == ["the disk holding the database is full"]
        text = status_text(bot)
        assert "writes to the database fail" in text and "free space on the volume" in text


async def test_an_injected_enospc_is_a_507_and_other_store_failures_a_json_503(
    http: aiohttp.ClientSession, slack: FakeSlack
) -> None:
    store = Store(":memory:")
    errors: list[Exception] = [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EIO, "I/O error"),
    ]

    def failing(rows: Any) -> int:
        raise errors.pop(0)

    store.metrics.add_rows = failing  # type: ignore[method-assign]  # the seam: one repository
    async with served(slack, store=store, ingest_token=TOKEN) as bot:
        url = f"http://127.0.0.1:{bot.port}/api/metrics"
        for expected in (507, 503):
            async with http.post(url, json=batch(1), headers=AUTH) as resp:
                assert resp.status == expected
                assert (await resp.json())["ok"] is False


class Jobs:
    """Keeps the jobs APScheduler would run, by id; the test runs them."""

    def __init__(self) -> None:
        self.jobs: dict[str, Any] = {}

    def add_job(self, func: Any, *args: Any, id: str, **kwargs: Any) -> None:
        self.jobs[id] = func


async def test_a_failed_evaluation_shows_in_health_and_status(
    http: aiohttp.ClientSession, slack: FakeSlack
) -> None:
    store = Store(":memory:")
    async with served(slack, store=store) as bot:
        jobs = Jobs()
        start_jobs(bot.deps, SlackPoster(make_client("xoxb-x", slack.api_url)), jobs)  # type: ignore[arg-type]

        def full(*args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "No space left on device")

        store.alerts.save_states = full  # type: ignore[method-assign]  # an injected ENOSPC
        await jobs.jobs["metrics.evaluate"]()
        status, body = await healthz(http, bot)
        assert status == 503 and body["evaluation"]["ok"] is False
        assert body["evaluation"]["error"] == "the disk holding the database is full"
        text = status_text(bot)
        assert "the last rule evaluation failed" in text and "writes to the database fail" in text
        del store.alerts.save_states  # the disk has room again
        await jobs.jobs["metrics.evaluate"]()
        status, body = await healthz(http, bot)
        assert body["evaluation"]["ok"] is True and body["evaluation"]["last_ok_at"]
        assert status == 200 and body["database"] == {"ok": True}
