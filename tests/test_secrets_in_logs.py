"""A whole run of `capacity-bot serve` as a process, at LOG_LEVEL=DEBUG in JSON: start,
commands, ingestion, an alert posted, a broken Prometheus, a scrape, shutdown. Every
line is one JSON object, a normal start warns about nothing, and no secret is anywhere."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.config import load_settings
from bot.deps import build_deps
from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from bot.slack.manifest import BOT_SCOPES
from store import Store
from tests.fakeslack import FakeSlack, signed_headers, slash_command_body, slash_command_payload
from tests.support.serve_process import ROOT, free_port, serve_process, wait_healthy

CHANNEL = "C0ALERTS"


# The default plan's rules are all p1 (Slack); this one sends the error rate to PagerDuty
# (p0) and the cost to email (p2), so the scenario exercises every route.
def plan_with_every_route(tmp_path: Path) -> Path:
    text = (ROOT / "bot" / "data" / "default-plan.yaml").read_text(encoding="utf-8")
    for name, severity in (("Error rate", "p0"), ("Cost", "p2")):
        text = re.sub(rf"(- {{name: {name}, .*?severity: )p1", rf"\g<1>{severity}", text, count=1)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# metric, value: one firing alert per route (p1 storage to Slack).
FIRING = (("error_rate_pct", 5.0), ("cost_usd", 100.0), ("storage_pct", 95.0))


def queue_firing_alerts(env: dict[str, str]) -> None:
    """Samples over the rules' `for` windows, evaluated minute by minute up to now: the
    served bot's outbox worker delivers them within seconds of starting."""
    now = datetime.now(UTC)
    clock = [now - timedelta(minutes=6)]
    settings = load_settings(env)
    deps = build_deps(settings, store=Store(settings.db_path), clock=lambda: clock[0])
    try:
        while clock[0] <= now:
            deps.store.metrics.add_batch(
                [Sample(metric=m, at=clock[0], value=v) for m, v in FIRING]
            )
            evaluate_once(deps, clock[0])
            clock[0] += timedelta(minutes=1)
        assert deps.store.outbox.counts().get("queued", 0) >= 2
    finally:
        deps.close()


async def run_scenario(
    slack: FakeSlack, tmp_path: Path, env: dict[str, str], socket_mode: bool
) -> str:
    port = free_port()
    env = {
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": CHANNEL,
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "CAPACITY_PLAN": str(plan_with_every_route(tmp_path)),
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "json",
        **env,
    }
    queue_firing_alerts(env)
    proc = await serve_process(env, port, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    assert proc.stderr is not None
    lines: list[str] = []

    async def read_log() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            lines.append(raw.decode())

    reader = asyncio.create_task(read_log())
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await wait_healthy(http, base)
            for text in ("tier 2", "metric mau 900", "bogus", "log"):
                if socket_mode:
                    payload = slash_command_payload(text, response_url=slack.new_response_url())
                    await slack.send_socket_event("slash_commands", payload)
                else:
                    body = slash_command_body(
                        text,
                        trigger_id=slack.new_trigger_id("U1"),
                        response_url=slack.new_response_url(),
                    )
                    headers = signed_headers(env["SLACK_SIGNING_SECRET"], body)
                    async with http.post(f"{base}/slack/events", data=body, headers=headers) as r:
                        assert r.status == 200
            ingest = env["CAPACITY_INGEST_TOKEN"]
            sample = {"samples": [{"metric": "mau", "value": 950}]}
            for token, status in ((ingest, 200), (ingest + "x", 401)):
                async with http.post(
                    f"{base}/api/metrics", json=sample, headers={"Authorization": f"Bearer {token}"}
                ) as resp:
                    assert resp.status == status
            await slack.wait_for(lambda: slack.messages_in(CHANNEL), timeout=15)
            if "CAPACITY_SMTP_URL" in env:  # PagerDuty and email tried (closed ports) and failed
                for _ in range(200):  # bounded: 20 s
                    if sum("attempt 1 failed" in line for line in lines) >= 2:
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the PagerDuty and email deliveries were never tried")
            async with http.get(f"{base}/metrics") as resp:
                assert 'command="tier"' in await resp.text()
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
        await asyncio.wait_for(reader, 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        reader.cancel()
    return "".join(lines)


def lines_of(log: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    return entries


def secret_env(slack: FakeSlack, *, routes: bool) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "CAPACITY_INGEST_TOKEN": secrets.token_urlsafe(24),
    }
    if routes:
        # Alert routes to closed local ports: their failures are logged, their keys never.
        env.update(
            {
                "CAPACITY_PAGERDUTY_ROUTING_KEY": secrets.token_hex(16),
                "CAPACITY_PAGERDUTY_URL": f"http://127.0.0.1:{free_port()}/v2/enqueue",
                "CAPACITY_SMTP_URL": f"smtp://alerts:{secrets.token_hex(8)}@127.0.0.1:{free_port()}",
                "CAPACITY_EMAIL_FROM": "bot@example.com",
                "CAPACITY_EMAIL_TO": "ops@example.com",
            }
        )
    return env


def assert_no_secret(log: str, env: dict[str, str]) -> None:
    values = [env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"], env["CAPACITY_INGEST_TOKEN"]]
    if "CAPACITY_SMTP_URL" in env:
        values.append(env["CAPACITY_PAGERDUTY_ROUTING_KEY"])
        values.append(env["CAPACITY_SMTP_URL"].split("//alerts:")[1].split("@")[0])
    if "SLACK_APP_TOKEN" in env:
        values.append(env["SLACK_APP_TOKEN"])
    if "CAPACITY_PROMETHEUS_URL" in env:
        values.append("prom-pass-7f3k2")
    for value in values:
        assert value not in log, f"a secret reached the log: {value[:6]}..."


@pytest.mark.slow
async def test_http_mode_with_a_broken_prometheus_logs_no_secret(tmp_path: Path) -> None:
    token = "xoxb-" + secrets.token_hex(20)
    async with FakeSlack(token, channels={CHANNEL: "alerts"}, scopes=BOT_SCOPES) as slack:
        env = secret_env(slack, routes=True)
        env["CAPACITY_PROMETHEUS_URL"] = f"http://scraper:prom-pass-7f3k2@127.0.0.1:{free_port()}/"
        log = await run_scenario(slack, tmp_path, env, socket_mode=False)
    entries = lines_of(log)
    assert_no_secret(log, env)
    # The broken Prometheus was reported, without its URL.
    assert any("prometheus" in e["message"] and e["level"] == "WARNING" for e in entries)
    # Request context rode along on what was logged while answering.
    assert any(e.get("kind") == "command" and e.get("request_id") for e in entries)


@pytest.mark.slow
async def test_a_normal_socket_mode_start_warns_about_nothing_and_logs_no_secret(
    tmp_path: Path,
) -> None:
    token = "xoxb-" + secrets.token_hex(20)
    app_token = "xapp-" + secrets.token_hex(20)
    async with FakeSlack(
        token, app_token, channels={CHANNEL: "alerts"}, scopes=BOT_SCOPES
    ) as slack:
        env = secret_env(slack, routes=False)
        env["SLACK_APP_TOKEN"] = app_token
        log = await run_scenario(slack, tmp_path, env, socket_mode=True)
    entries = lines_of(log)
    assert_no_secret(log, env)
    assert [e for e in entries if e["level"] in ("WARNING", "ERROR", "CRITICAL")] == []
