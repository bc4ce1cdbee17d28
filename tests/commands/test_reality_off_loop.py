"""`reality` and `whatif` read 28 days of hourly statistics: on a worker thread, while the
loop keeps answering Slack. Nothing here is timed (see tests/test_no_stall.py)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from tests.slack.harness import rig
from tests.test_no_stall import Gate


class HeldMetrics:
    """The metric store, but `hourly_stats` (what reality reads) waits at the gate."""

    def __init__(self, inner: Any, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    def hourly_stats(self, *args: Any) -> Any:
        self.gate.hold()
        return self.inner.hourly_stats(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("text", ["reality", "whatif users 5000"])
async def test_the_reality_computation_runs_off_the_event_loop(text: str) -> None:
    gate = Gate()
    async with rig() as r:
        r.deps.store.metrics = HeldMetrics(r.deps.store.metrics, gate)  # type: ignore[assignment]
        reading = asyncio.create_task(r.slash(text))
        await gate.wait_reached()
        status, body = await r.slash("tier 2")
        gate.answered.set()
        answered, _ = await reading
    assert status == 200 and "Tier 2" in json.dumps(body) and answered == 200
    assert not gate.ran_out and threading.get_ident() not in gate.threads
