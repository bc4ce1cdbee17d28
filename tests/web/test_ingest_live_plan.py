"""`POST /api/metrics` reads the live plan: after a reload (SIGHUP to a served bot) it takes
a metric the reload added, refuses one the reload removed and a value outside a range the
reload narrowed, as the slash command does."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.fakeslack import FakeSlack
from tests.support.serve_process import ROOT, free_port, serve_process, stop_process, wait_healthy

INGEST = "ingest-token-for-tests"
RAM = """  - text: RAM > 80% for 30 min
    rule: {metric: ram_pct, op: ">", value: 80, for: 30m}
    action: Increase container size
    lead_time: 1 hour
"""


def reloaded(plan: str) -> str:
    """The default plan with `queue_depth` added, `ram_pct` (and its rule) removed and
    `cpu_pct` narrowed to at most 90%."""
    assert RAM in plan
    plan = plan.replace(RAM, "")
    plan = plan.replace(
        '  - {name: ram_pct, description: API memory utilisation, unit: "%"}\n',
        "  - {name: queue_depth, description: Jobs waiting, unit: jobs}\n",
    )
    return plan.replace(
        '{name: cpu_pct, description: API CPU utilisation, unit: "%"}',
        '{name: cpu_pct, description: API CPU utilisation, unit: "%", max: 90}',
    )


async def post(http: aiohttp.ClientSession, base: str, metric: str, value: float) -> int:
    body = {"samples": [{"metric": metric, "value": value}]}
    headers = {"Authorization": f"Bearer {INGEST}"}
    async with http.post(f"{base}/api/metrics", json=body, headers=headers) as resp:
        await resp.read()
        return resp.status


async def test_the_metrics_api_follows_a_reload(slack: FakeSlack, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    original = (ROOT / "bot" / "data" / "default-plan.yaml").read_text()
    plan.write_text(original)
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "CAPACITY_PLAN": str(plan),
        "CAPACITY_INGEST_TOKEN": INGEST,
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await serve_process(env, port, cwd=tmp_path, output=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await wait_healthy(http, base)
            assert await post(http, base, "queue_depth", 3) == 422
            assert await post(http, base, "ram_pct", 50) == 200
            assert await post(http, base, "cpu_pct", 95) == 200
            plan.write_text(reloaded(original))
            proc.send_signal(signal.SIGHUP)
            for _ in range(100):  # bounded: 10 s, until the reload is live
                if await post(http, base, "queue_depth", 3) == 200:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the API never took the metric the reload added")
            assert await post(http, base, "ram_pct", 50) == 422
            assert await post(http, base, "cpu_pct", 95) == 422
            assert await post(http, base, "cpu_pct", 85) == 200
    finally:
        await stop_process(proc)
