"""`/capacity compute` with the queue model through Bolt's real request path: a store
holding a simulated API's days, the answer valid Block Kit with the model's table and
its back-tested error."""

from __future__ import annotations

import json
from datetime import timedelta

from store import Store
from tests.domain.queue_sim import as_samples, simulated_days
from tests.fakeslack import validate_blocks
from tests.slack.harness import NOW, rig


async def test_compute_answers_in_slack_with_the_model() -> None:
    store = Store(":memory:")
    first = (NOW - timedelta(days=20)).replace(hour=0)
    history = simulated_days(
        first,
        20,
        mean=0.12,
        scv=2.0,
        shape="lognormal",
        containers=(4,),
        workers=1,
        peak_utilisation=0.7,
        requests=1500,
        seed=9,
    )
    store.metrics.add_batch(as_samples(history))
    async with rig(store) as r:
        status, answer = await r.slash("compute 60")
    assert status == 200
    assert validate_blocks(answer["blocks"], "message") == []
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Containers for p95 < 500ms" in shown
    assert "Model error over the last 14 days: median" in shown
    assert "fitted to" in shown
