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


async def spawn_serve(slack: FakeSlack, tmp_path: Path, port: int) -> asyncio.subprocess.Process:
    """`python -m bot serve` on 127.0.0.1:port against the fake Slack, in a bare environment."""
    env = {
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
