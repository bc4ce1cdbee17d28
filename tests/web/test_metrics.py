"""GET /metrics: what a Prometheus scraping the bot sees, in both modes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app.web import build_web_app
from bot.core.config import Settings
from bot.core.telemetry import Telemetry
from bot.deps import build_deps
from bot.monitor import AlertState
from bot.slack.client import MeteredWebClient
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, slash_command_payload
from tests.support.metrics_helpers import TOKEN
from tests.support.serve_process import PROMETHEUS, prometheus_process
from tests.web.served import sample, scrape, served, slash

TIMEOUT = aiohttp.ClientTimeout(total=10)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        yield session


async def test_commands_are_counted_by_name_and_outcome_with_their_ack_time(
    slack: FakeSlack, http: aiohttp.ClientSession
) -> None:
    async with served(slack) as bot:
        for text in ("tier 2", "tier 2", "tier 99", "tiers", "bogus", ""):
            await slash(http, bot, text)
        text = await scrape(http, bot)
    counter = "capacity_bot_commands_total"
    assert sample(text, counter, command="tier", outcome="ok") == 2
    assert sample(text, counter, command="tier", outcome="error") == 1
    assert sample(text, counter, command="tiers", outcome="ok") == 1
    assert sample(text, counter, command="unknown", outcome="unknown") == 1
    assert sample(text, counter, command="help", outcome="ok") == 1
    assert sample(text, "capacity_bot_ack_seconds_count", kind="command") == 6
    assert sample(text, "capacity_bot_ack_seconds_bucket", kind="command", le="3.0") == 6
    assert sample(text, "capacity_bot_store_up") == 1


async def test_socket_mode_serves_metrics_too(
    slack: FakeSlack, http: aiohttp.ClientSession
) -> None:
    async with served(slack, socket=True) as bot:
        await slack.wait_socket_connected(timeout=5)
        payload = slash_command_payload("tier 2", response_url=slack.new_response_url())
        await slack.send_socket_event("slash_commands", payload)
        text = await scrape(http, bot)
    assert sample(text, "capacity_bot_outbox_depth") == 0
    assert sample(text, "capacity_bot_commands_total", command="tier", outcome="ok") == 1
    assert sample(text, "capacity_bot_ack_seconds_count", kind="command") == 1


async def test_web_api_calls_and_errors_are_counted_by_method(slack: FakeSlack) -> None:
    telemetry = Telemetry()
    client = MeteredWebClient(
        token=slack.bot_token, base_url=slack.api_url, retry_handlers=[], observe=telemetry.api_call
    )
    await client.chat_postMessage(channel="C1", text="hello")
    slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(Exception, match="channel_not_found"):
        await client.chat_postMessage(channel="C1", text="hello")
    from prometheus_client import generate_latest

    text = generate_latest(telemetry.registry).decode()
    calls = "capacity_bot_slack_api_calls_total"
    assert sample(text, calls, method="chat.postMessage") == 2
    errors = "capacity_bot_slack_api_errors_total"
    assert sample(text, errors, method="chat.postMessage", error="channel_not_found") == 1


async def test_the_served_bot_counts_its_own_web_api_calls(
    slack: FakeSlack, http: aiohttp.ClientSession
) -> None:
    async with served(slack) as bot:
        # The start-up health refresh reads the alerts channel in the background.
        name = "capacity_bot_slack_api_calls_total"
        for _ in range(250):  # bounded: 5 s
            text = await scrape(http, bot)
            if sample(text, name, method="conversations.info"):
                break
            await asyncio.sleep(0.02)
    assert sample(text, name, method="conversations.info") == 1
    assert len(slack.calls_to("conversations.info")) == 1


async def test_samples_ingested_and_refused(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    async with served(slack, ingest_token=TOKEN) as bot:
        url = f"http://127.0.0.1:{bot.port}/api/metrics"
        good = {"samples": [{"metric": "mau", "value": 850}, {"metric": "mau", "value": 900}]}
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with http.post(url, json=good, headers=auth) as resp:
            assert resp.status == 200
        async with http.post(url, json=good, headers={"Authorization": "Bearer wrong"}) as resp:
            assert resp.status == 401
        bad = {"samples": [{"metric": "nope", "value": 1}]}
        async with http.post(url, json=bad, headers=auth) as resp:
            assert resp.status == 422
        text = await scrape(http, bot)
    assert sample(text, "capacity_bot_samples_ingested_total", source="api") == 2
    assert sample(text, "capacity_bot_samples_refused_total", status="401") == 1
    assert sample(text, "capacity_bot_samples_refused_total", status="422") == 1


async def test_outbox_rule_states_and_last_digest_come_from_the_store() -> None:
    store = Store(":memory:")
    deps = build_deps(Settings(), store=store, clock=lambda: NOW)
    store.outbox.enqueue("k1", "firing", "{}", NOW - timedelta(minutes=7))
    store.outbox.enqueue("k2", "firing", "{}", NOW - timedelta(minutes=2))
    store.alerts.save_states(
        {
            "mau-high": AlertState(rule_id="mau-high", status="firing"),
            "errors": AlertState(rule_id="errors", status="pending"),
        },
        NOW,
    )
    assert store.digests.claim("2026-W48", NOW - timedelta(days=3))
    store.digests.mark_posted("2026-W48", "C1", "1.0", NOW - timedelta(days=3))
    async with TestClient(TestServer(build_web_app(deps, None), host="127.0.0.1")) as client:
        resp = await client.get("/metrics")
        text = await resp.text()
    assert sample(text, "capacity_bot_outbox_depth") == 2
    assert sample(text, "capacity_bot_outbox_oldest_age_seconds") == 7 * 60
    assert sample(text, "capacity_bot_rule_state", rule="mau-high", state="firing") == 1
    assert sample(text, "capacity_bot_rule_state", rule="mau-high", state="inactive") == 0
    assert sample(text, "capacity_bot_rule_state", rule="errors", state="pending") == 1
    last = (NOW - timedelta(days=3)).timestamp()
    assert sample(text, "capacity_bot_last_digest_timestamp_seconds") == last


async def test_a_closed_store_is_a_zero_not_a_500() -> None:
    store = Store(":memory:")
    deps = build_deps(Settings(), store=store, clock=lambda: NOW)
    async with TestClient(TestServer(build_web_app(deps, None), host="127.0.0.1")) as client:
        store.close()
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert sample(await resp.text(), "capacity_bot_store_up") == 0


def test_two_apps_in_one_process_keep_their_own_counters() -> None:
    one, two = Telemetry(), Telemetry()
    one.command_served("tier", "ok")
    assert one.commands.labels(command="tier", outcome="ok")._value.get() == 1
    assert two.commands.labels(command="tier", outcome="ok")._value.get() == 0


@pytest.mark.slow
async def test_a_real_prometheus_scrapes_the_command_counter(
    slack: FakeSlack, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    if not Path(PROMETHEUS).exists():
        pytest.skip("prometheus binary not installed (apt-get install prometheus)")
    query = 'capacity_bot_commands_total{command="tier",outcome="ok"}'
    async with served(slack) as bot:
        await slash(http, bot, "tier 2")
        await slash(http, bot, "tier 3")
        with prometheus_process(bot.port, tmp_path) as (url, _):
            value = None
            for _ in range(150):  # bounded: about 30 s for start-up and the first scrapes
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/api/v1/query", params={"query": query}) as resp:
                        body = await resp.json()
                        result = body.get("data", {}).get("result", [])
                        if result:
                            value = float(result[0]["value"][1])
                            break
                await asyncio.sleep(0.2)
    assert value == 2
