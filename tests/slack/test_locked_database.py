"""Another process holds the database's write lock (an import, a backup, a second bot):
the served bot still answers every front end on time, and writes again once it is free.

The lock is taken by a real second process; every request is bounded by Slack's own
3 seconds (the client's timeout), so an answer that waits on the lock fails the test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from store import Store
from tests.fakeslack import FakeSlack, aim_at, slash_command_body
from tests.slack.conftest import SECRET, signed_headers
from tests.slack.harness import GOOD, view_submission
from tests.support.serve_process import (
    free_port,
    hold_write_lock,
    serve_process,
    stop_process,
    wait_healthy,
)

INGEST = "ingest-token-for-tests"
SLACK_LIMIT = aiohttp.ClientTimeout(total=3)


async def slash(
    http: aiohttp.ClientSession, base: str, slack: FakeSlack, text: str
) -> tuple[str, str]:
    """The ack's text and the command's response_url."""
    url = slack.new_response_url()
    body = aim_at(slash_command_body(text, response_url=url), slack.api_url)
    headers = signed_headers(SECRET, body)
    async with http.post(f"{base}/slack/events", data=body, headers=headers) as resp:
        assert resp.status == 200
        return str((await resp.json())["text"]), url


async def answer_of(slack: FakeSlack, ack: str, url: str) -> str:
    """What the person finally reads: the ack, or the follow-up when the ack said to wait."""
    if not ack.startswith("Working on it"):
        return ack
    for _ in range(100):  # bounded: 10 s
        posts = slack.responses(url)
        if posts:
            return str(posts[0].text)
        await asyncio.sleep(0.1)
    raise AssertionError("acked 'working on it' and never followed up")


async def post_sample(http: aiohttp.ClientSession, base: str) -> aiohttp.ClientResponse:
    sample: dict[str, Any] = {"samples": [{"metric": "mau", "value": 850}]}
    headers = {"Authorization": f"Bearer {INGEST}"}
    async with http.post(f"{base}/api/metrics", json=sample, headers=headers) as resp:
        await resp.read()
        return resp


async def test_a_held_write_lock_is_answered_on_time_by_every_front_end(
    slack: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "capacity.db"
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(db),
        "CAPACITY_INGEST_TOKEN": INGEST,
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await serve_process(env, port, cwd=tmp_path, output=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession(timeout=SLACK_LIMIT) as http:
            await wait_healthy(http, base)
            async with hold_write_lock(db):
                # POST /api/metrics: a JSON 503 that says when to come back.
                resp = await post_sample(http, base)
                assert resp.status == 503
                assert resp.headers["Retry-After"].isdigit()
                async with http.get(f"{base}/healthz") as health:
                    assert health.status == 200
                # A slash command that writes: acked in time, then the apology.
                ack, url = await slash(http, base, slack, "metric mau 900")
                answer = await answer_of(slack, ack, url)
                assert "database is busy" in answer and "nothing was recorded" in answer
                # The change form: the error shows in the form, nothing is stored.
                body = view_submission(GOOD, view_id="V-locked")
                headers = signed_headers(SECRET, body)
                async with http.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 200
                    form = await r.json()
                assert form["response_action"] == "errors"
                assert "database is busy" in form["errors"]["change"]
            # Free again: every one of them writes.
            assert (await post_sample(http, base)).status == 200
            ack, url = await slash(http, base, slack, "metric mau 900")
            assert "busy" not in await answer_of(slack, ack, url)
            body = view_submission(GOOD, view_id="V-free")
            async with http.post(
                f"{base}/slack/events", data=body, headers=signed_headers(SECRET, body)
            ) as r:
                assert r.status == 200
                assert "response_action" not in (await r.text())
    finally:
        await stop_process(proc)
    store = Store(db)
    try:
        # Once: the refused submission stored nothing, the one after the lock its entry.
        assert [c.change for c in store.changes.all()].count(GOOD["change"]) == 1
        assert store.metrics.count() == 2  # the POST and the command, after the lock
    finally:
        store.close()
