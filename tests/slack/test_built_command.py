"""`/capacity built` over Bolt's real request path: planners record, others are refused."""

from __future__ import annotations

import json

from tests.slack.harness import rig


async def test_a_planner_records_the_built_tier_from_slack() -> None:
    async with rig(planners=frozenset({"U_PLANNER"})) as r:
        status, body = await r.slash("built 1", user="U_OTHER")
        assert status == 200 and "Only planners" in json.dumps(body)
        assert r.deps.store.tiers.built() is None

        status, body = await r.slash("built 1", user="U_PLANNER")
        assert status == 200 and body["response_type"] == "ephemeral"
        assert "Built tier: Tier 1: 10x Growth" in body["text"]
        record = r.deps.store.tiers.built()
        assert record is not None and (record.tier, record.by) == (1, "U_PLANNER")
        (entry,) = r.deps.store.changes.latest()
        assert entry.recorded_by == "U_PLANNER" and entry.channel_id == "C1"

        status, body = await r.slash("status", user="U_OTHER")
        assert "Tier 1: 10x Growth, recorded by" in json.dumps(body)
