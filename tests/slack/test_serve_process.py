"""`capacity-bot serve` as a real process: healthy, answers a signed command, exits 0 on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakeslack import FakeSlack, slash_command_body
from tests.slack.conftest import SECRET, signed_headers

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def spawn_serve(
    slack: FakeSlack, tmp_path: Path, port: int, extra: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot serve` on 127.0.0.1:port against the fake Slack, in a bare environment."""
    env = {
        **(extra or {}),
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "PYTHONPATH": str(ROOT),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_serve_process_health_command_and_sigterm(slack: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    proc = await spawn_serve(slack, tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            for _ in range(200):  # bounded: 20 s
                try:
                    async with http.get(f"{base}/healthz") as resp:
                        if resp.status == 200:
                            assert (await resp.json())["store"] is True
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("serve never became healthy")
            body = slash_command_body("tier 2")
            async with http.post(
                f"{base}/slack/events", data=body, headers=signed_headers(SECRET, body)
            ) as resp:
                assert resp.status == 200
                assert "+337%" in (await resp.json())["text"]
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 15)
        assert code == 0
        _, err = await proc.communicate()
        log = err.decode()
        assert "HTTP mode" in log and "stopped" in log
        # A normal start warns about nothing (Bolt's "token unused" included).
        assert " WARNING " not in log and " ERROR " not in log, log
        assert slack.bot_token not in log and SECRET not in log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_scheduler_chatter_is_not_logged_at_info() -> None:
    from bot.serve import configure_logging

    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    levels = root.level, scheduler.level
    try:
        configure_logging()
        assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
        assert scheduler.isEnabledFor(logging.WARNING)
    finally:
        root.setLevel(levels[0])
        scheduler.setLevel(levels[1])


async def test_serve_reloads_the_plan_document_on_sighup(slack: FakeSlack, tmp_path: Path) -> None:
    """Served from the filled-in template itself; SIGHUP applies a good edit and refuses a
    bad one (the old plan stays live, the errors are in the log)."""
    template = (ROOT / "tests" / "data" / "capacity-planning-template.md").read_text()
    row = "| Monitoring | Basic logs | APM (Datadog/New Relic) | +$50/mo |"
    assert row in template
    document = tmp_path / "capacity-plan.md"
    document.write_text(template)
    port = free_port()
    proc = await spawn_serve(slack, tmp_path, port, {"CAPACITY_PLAN": str(document)})
    base = f"http://127.0.0.1:{port}"

    async def tier_two(http: aiohttp.ClientSession) -> str:
        body = slash_command_body("tier 2")
        headers = signed_headers(SECRET, body)
        async with http.post(f"{base}/slack/events", data=body, headers=headers) as resp:
            return str((await resp.json())["text"])

    async def answer_with(http: aiohttp.ClientSession, fragment: str) -> str:
        for _ in range(100):  # bounded: 10 s
            text = await tier_two(http)
            if fragment in text:
                return text
            await asyncio.sleep(0.1)
        raise AssertionError(f"never answered with {fragment}: {text}")

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await wait_healthy(http, base)
            await answer_with(http, "$95/mo -&gt; $415/mo")
            document.write_text(template.replace(row, row.replace("+$50/mo", "+$85/mo")))
            proc.send_signal(signal.SIGHUP)
            await answer_with(http, "$95/mo -&gt; $450/mo")
            document.write_text(template.replace("**Pricing**: $25/mo per instructor", "?"))
            proc.send_signal(signal.SIGHUP)
            for _ in range(20):
                await asyncio.sleep(0.1)
            assert "$95/mo -&gt; $450/mo" in await tier_two(http)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        _, err = await proc.communicate()
        log = err.decode()
        assert "plan reloaded (version 2)" in log
        assert "the plan was refused; the old plan stays live" in log
        assert "expected `**Pricing**: $25/mo per instructor`" in log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def wait_healthy(http: aiohttp.ClientSession, base: str) -> None:
    for _ in range(200):  # bounded: 20 s
        try:
            async with http.get(f"{base}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("serve never became healthy")
