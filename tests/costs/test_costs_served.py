"""The served bot: a bill posted to /api/costs is stored on a worker thread, and
`/capacity spend` answers through Bolt's real request path in Block Kit within its limits."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
import yaml

from store import Store
from store.costs import CostStore
from tests.costs.conftest import costed_plan
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import TOKEN
from tests.web.served import served, slash

BILL = b"date,vendor,amount\n2026-11,Clerk,25\n2026-11-20,Railway,1.50\n2026-11-21,Railway,1.50\n"


class _Recording(CostStore):
    """The real cost store, noting which thread stored each bill."""

    threads: ClassVar[list[int]] = []

    def import_bill(self, kind: str, lines: Any, name: str, digest: str, now: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().import_bill(kind, lines, name, digest, now)


async def test_a_posted_bill_is_stored_off_the_loop_and_spend_answers_in_slack(
    slack: FakeSlack, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        yaml.safe_dump(costed_plan().model_dump(mode="json", exclude_defaults=True))
    )
    store = Store(":memory:")
    store.costs = _Recording(store.connections)
    async with (
        served(slack, store=store, plan_path=plan_file, ingest_token=TOKEN) as bot,
        aiohttp.ClientSession() as http,
    ):
        loop_thread = threading.get_ident()
        url = f"http://127.0.0.1:{bot.port}/api/costs?name=saas.csv"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with http.post(url, data=BILL, headers=auth) as resp:
            answer = await resp.json()
            assert resp.status == 200, answer
        assert answer["summary"] == "saas.csv: plain bill, 3 line(s), $28"
        assert _Recording.threads and loop_thread not in _Recording.threads
        reply = await slash(http, bot, "spend")
    blocks = reply["blocks"]
    text = json.dumps(blocks)
    assert len(blocks) <= 50 and len(text) < 50_000
    assert "Spend, November 2026: built Tier 0" in text
    assert "Auth" in text and "Unplaced (no split)" in text
