"""A crash mid-digest does not lose the digest: a served bot SIGKILLed while its catch-up
digest draws the chart leaves a claim nobody posted; the next start takes it again (its
holder is gone) and the digest is posted once, with its chart."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from tests.fakeslack import FakeSlack
from tests.slack.test_children_die import SLOT_DUE, env_for, wait_for_children
from tests.support.serve_process import free_port, serve_process, stop_process

ALERTS = "C0ALERTS"


def digests(slack: FakeSlack) -> list[str]:
    texts = [m.text or "" for m in slack.messages_in(ALERTS) if not m.files]
    return [text for text in texts if "digest" in text.lower()]


async def test_a_digest_killed_mid_chart_is_posted_once_after_a_restart(
    slack: FakeSlack, tmp_path: Path
) -> None:
    mark = uuid.uuid4().hex
    env = env_for(slack, tmp_path, mark)
    quiet = asyncio.subprocess.DEVNULL
    first = await serve_process(env, free_port(), cwd=tmp_path, output=quiet, clock_at=SLOT_DUE)
    second = None
    try:
        await wait_for_children(mark, first.pid, 2)  # the catch-up digest is drawing
        await stop_process(first)  # SIGKILL: the slot stays claimed, nothing posted
        assert digests(slack) == []
        later = SLOT_DUE + timedelta(minutes=1)  # well inside the claim's 15-minute lease
        second = await serve_process(env, free_port(), cwd=tmp_path, output=quiet, clock_at=later)
        await slack.wait_for(lambda: digests(slack), timeout=60)
        await asyncio.sleep(2)  # nothing more may come
        assert len(digests(slack)) == 1
        assert any(m.files for m in slack.messages_in(ALERTS))  # with its chart
    finally:
        await stop_process(first)
        if second is not None:
            await stop_process(second)
