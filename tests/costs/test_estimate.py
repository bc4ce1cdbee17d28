"""Infracost's estimate before the spend: POST /api/costs/estimate through the served bot
posts what the change does against the built tier's budget, once per distinct estimate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.domain.estimate import EstimateError, read_estimate
from tests.costs.conftest import DATA, costed_plan
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import TOKEN
from tests.web.served import served

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def _messages(slack: FakeSlack, count: int) -> list[str]:
    """The alerts channel once it holds `count` messages (the outbox runs every 3 s)."""
    for _ in range(100):
        texts = [m.text for m in slack.messages_in("C0ALERTS")]
        if len(texts) >= count:
            return texts
        await asyncio.sleep(0.1)
    return [m.text for m in slack.messages_in("C0ALERTS")]


async def test_each_distinct_estimate_is_posted_once(slack: FakeSlack, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    data = costed_plan().model_dump(mode="json", exclude_defaults=True)
    plan_file.write_text(yaml.safe_dump({**data, "built_tier": 1}))
    async with (
        served(slack, plan_path=plan_file, ingest_token=TOKEN) as bot,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{bot.port}/api/costs/estimate?source=infra%2Fprod"
        answers = []
        for name in ("increase", "increase", "decrease", "nochange"):
            body = (DATA / f"infracost-{name}.json").read_bytes()
            async with http.post(url, data=body, headers=AUTH) as resp:
                assert resp.status == 200
                answers.append(await resp.json())
        texts = await _messages(slack, 2)
    assert [a["posted"] for a in answers] == [True, False, True, False]
    assert answers[0]["summary"] == (
        "+$38/mo → $133/mo: over Tier 1's $95 budget by $38; Tier 2 is budgeted at $415"
    )
    assert answers[2]["summary"] == "-$20/mo → $75/mo: within Tier 1's $95 budget ($20 left)"
    assert answers[3]["summary"] == "no change: $95/mo: within Tier 1's $95 budget ($0 left)"
    assert len(texts) == 2
    assert "Infrastructure cost estimate (infra/prod)" in texts[0]
    assert "+$38/mo → $133/mo: over Tier 1's $95 budget by $38" in texts[0]
    assert "-$20/mo → $75/mo" in texts[1]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "body is not JSON"),
        (b'{"currency": "EUR", "totalMonthlyCost": "10"}', 422, "currency EUR is not the plan"),
        (b'{"currency": "USD"}', 422, "totalMonthlyCost is missing"),
        (b'{"totalMonthlyCost": "1e308"}', 422, "out of range"),
        (b'{"totalMonthlyCost": "-5"}', 422, "negative"),
        (b"[1, 2]", 422, "Infracost's JSON object"),
        (b"[" * 40 + b"]" * 40, 400, "nests deeper"),
    ],
)
async def test_a_malformed_estimate_is_a_4xx_with_a_json_reason(
    slack: FakeSlack, body: bytes, status: int, reason: str
) -> None:
    async with served(slack, ingest_token=TOKEN) as bot, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{bot.port}/api/costs/estimate"
        async with http.post(url, data=body, headers=AUTH) as resp:
            answer = await resp.json()
        async with http.post(url, data=body) as unsigned:
            assert unsigned.status == 401
    assert resp.status == status and reason in answer["error"], answer


def test_a_breakdown_without_a_past_cost_reads_as_an_estimate() -> None:
    estimate = read_estimate({"totalMonthlyCost": "133.456", "currency": "USD"}, "USD")
    assert estimate.past is None and str(estimate.total) == "133.46"
    with pytest.raises(EstimateError):
        read_estimate({"totalMonthlyCost": True}, "USD")
