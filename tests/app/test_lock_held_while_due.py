"""Another process holds the database's write lock for seconds while an alert's message
and a digest are due: the served bot keeps answering (its event loop never waits on the
lock: the outbox worker and the digest wait on worker threads), and once the lock is
free the alert and the digest are each posted exactly once.

The lock is a real second process's `BEGIN IMMEDIATE`, taken before the bot starts and
held for about 7 seconds (inside the 10 s busy timeout the worker threads wait). The
bot's clock starts just after a digest slot, so its catch-up is due at once; the firing
alert was queued before. Slack's own 3 seconds bound every request (the client's
timeout), and the bot's loop-lag meter says whether anything held the loop.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from tests.app.test_no_writes_on_the_loop import (
    ALERTS,
    SLOT_DUE,
    evaluate,
    posted,
    slash,
)
from tests.fakeslack import FakeSlack
from tests.slack.conftest import SECRET
from tests.support.metrics_helpers import Clock
from tests.support.serve_process import (
    free_port,
    hold_write_lock,
    serve_process,
    served_env,
    stop_process,
    wait_healthy,
)

SLACK_LIMIT = aiohttp.ClientTimeout(total=3)
# How long the other process holds the lock: well past Slack's 3 s, inside the busy timeout.
HOLD = 7.0


async def healthz(http: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with http.get(f"{base}/healthz") as resp:
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


async def test_a_held_write_lock_delays_the_due_alert_and_digest_but_never_the_loop(
    slack: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "capacity.db"
    # A p1 alert fired a few minutes before the slot: its message waits in the outbox.
    evaluate(db, Clock(SLOT_DUE - timedelta(minutes=15)), 5.0, 7)
    env = served_env(slack.bot_token, slack.api_url, SECRET, ALERTS, db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = None
    try:
        async with aiohttp.ClientSession(timeout=SLACK_LIMIT) as http:
            async with hold_write_lock(db):
                quiet = asyncio.subprocess.DEVNULL
                proc = await serve_process(env, port, cwd=tmp_path, output=quiet, clock_at=SLOT_DUE)
                await wait_healthy(http, base)
                held_until = asyncio.get_running_loop().time() + HOLD
                answered = 0
                while asyncio.get_running_loop().time() < held_until:
                    # Every request answered within Slack's 3 s while the lock is held.
                    assert (await healthz(http, base))["store"] is True
                    answer = await slash(http, base, slack, "tier 2")
                    assert answer.startswith("Tier 2"), answer
                    # One that reads the store (WAL: readers never wait on the writer).
                    answer = await slash(http, base, slack, "status")
                    assert answer.startswith("Capacity status"), answer
                    answered += 1
                    await asyncio.sleep(0.5)
                # Nothing could be recorded meanwhile, so nothing went out.
                assert posted(slack, "firing:") == [] and posted(slack, "digest:") == []
            assert answered >= 2
            # Free again: each is posted, once.
            await slack.wait_for(lambda: posted(slack, "firing:"), timeout=30)
            await slack.wait_for(lambda: posted(slack, "digest:"), timeout=30)
            await asyncio.sleep(4)  # more than an outbox interval: nothing more may come
            assert len(posted(slack, "firing:")) == 1
            assert len(posted(slack, "digest:")) == 1
            # The bot's own meter: the event loop never stalled while the lock was held.
            loop = (await healthz(http, base))["loop"]
            assert loop["stalls_over_threshold"] == 0, loop
    finally:
        if proc is not None:
            await stop_process(proc)
