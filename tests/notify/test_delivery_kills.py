"""A delivery killed (SIGKILL, a real process) at every step still posts exactly once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.jobs.alerts import evaluate_once
from bot.notify.deliver import LEASE, Worker
from bot.notify.slack import SlackPoster, make_client
from store import Store
from tests.fakeslack import FakeSlack
from tests.notify.test_delivery import CHANNEL, push
from tests.support.metrics_helpers import Clock, make_deps

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("start", "marked", "in_flight", "answered", "recorded")


async def child(db: Path, slack: FakeSlack, step: str, now: str) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.notify.delivery_child",
        str(db),
        slack.api_url,
        slack.bot_token,
        step,
        now,
        env=env,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("step", STEPS)
async def test_a_kill_at_any_step_of_a_delivery_posts_exactly_once(
    step: str, slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    db = tmp_path / "capacity.db"
    deps = make_deps(clock, store=Store(db))
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    (row,) = deps.store.outbox.due(clock())
    deps.store.close()
    if step == "in_flight":
        slack.delay_next("chat.postMessage", 30)  # posted; the answer never arrives
    proc = await child(db, slack, step, clock().isoformat())
    if step == "in_flight":
        await slack.wait_for(lambda: slack.messages_in(CHANNEL), timeout=20)
        proc.kill()
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == -9, err.decode()[-800:]

    # A row the dead process was sending is its own until its lease runs out.
    clock.advance(seconds=LEASE.total_seconds() + 1)
    again = make_deps(clock, store=Store(db))
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    await Worker(again.store, poster, clock).run_once()
    posted = slack.messages_in(CHANNEL)
    assert len(posted) == 1
    assert posted[0].metadata == {
        "event_type": "capacity_bot_outbox",
        "event_payload": {"key": row.dedup_key},
    }
    assert again.store.outbox.counts() == {"sent": 1}
    assert again.store.outbox.get(row.id).ts == posted[0].ts  # type: ignore[union-attr]
    again.close()
