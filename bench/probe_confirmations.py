"""Change-log confirmations across a SIGKILL right after the acks: `serve` as a real
process against the fake Slack, 40 forms, a kill, a restart, a resubmission.

    PYTHONPATH=. python bench/probe_confirmations.py
"""

from __future__ import annotations

import asyncio
import signal
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.fakeslack import FakeSlack, sign
from tests.slack.harness import GOOD, view_submission
from tests.support.serve_process import free_port, serve_process, wait_healthy

SECRET = "probe-secret"


async def spawn(slack, db, port):
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(db),
    }
    return await serve_process(env, port, output=asyncio.subprocess.DEVNULL)


async def main(n=40):
    import bot

    print("tree:", Path(bot.__file__).parents[1])
    db = Path(tempfile.mkdtemp()) / "c.db"
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        port = free_port()
        proc = await spawn(slack, db, port)
        await wait_healthy(http, f"http://127.0.0.1:{port}")

        async def submit(i):
            body = view_submission({**GOOD, "change": f"Change number {i} done"}, view_id=f"V{i}")
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)},
            ) as r:
                return r.status

        statuses = await asyncio.gather(*(submit(i) for i in range(n)))
        proc.kill()
        await proc.wait()
        before = len(slack.messages_in("C1"))
        proc = await spawn(slack, db, port)
        await wait_healthy(http, f"http://127.0.0.1:{port}")
        await asyncio.sleep(35)
        after = len(slack.messages_in("C1"))
        # and the person submits the first form again
        body = view_submission({**GOOD, "change": "Change number 0 done"}, view_id="V0")
        async with http.post(
            f"http://127.0.0.1:{port}/slack/events",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **sign(SECRET, body, int(time.time()) - 3),
            },
        ) as r:
            await r.read()
        await asyncio.sleep(1)
        texts = [m.text or "" for m in slack.messages_in("C1")]
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        print(
            f"acked {statuses.count(200)} of {n}; confirmations before the kill {before}, "
            f"35 s after the restart {after}, after a resubmission {len(texts)}; "
            f"entry 0 confirmed {sum('Change number 0 done' in t for t in texts)} time(s)"
        )


asyncio.run(main())
