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

from bot.jobs.alerts import evaluate_once
from bot.logsafe import SafeLogFilter
from store import Store
from tests.fakeslack import FakeSlack, aim_at, slash_command_body
from tests.metrics_helpers import Clock, make_deps
from tests.notify.test_delivery import push
from tests.slack.conftest import SECRET, signed_headers
from tests.slack.harness import GOOD, view_submission

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
            body = aim_at(slash_command_body("tier 2"), slack.api_url)
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
        for handler in root.handlers:
            for f in [f for f in handler.filters if isinstance(f, SafeLogFilter)]:
                handler.removeFilter(f)


async def test_sigterm_during_an_outbox_retry_wait_is_quiet(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    deps = make_deps(clock, store=Store(tmp_path / "capacity.db"))
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    deps.store.close()
    slack.fail_next("chat.postMessage", status=429, retry_after=30)  # then a 30 s wait
    proc = await spawn_serve(slack, tmp_path, free_port())
    try:
        await slack.wait_for(lambda: slack.calls_to("chat.postMessage"), timeout=20)
        await asyncio.sleep(0.3)  # into the retry wait
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        _, err = await proc.communicate()
        log = err.decode()
        assert "stopped" in log
        assert "Traceback" not in log and "CancelledError" not in log, log[-1500:]
        assert slack.messages_in("C_ALERTS") == []  # still queued for the next start
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_entries_acknowledged_before_a_kill_all_get_one_confirmation(
    slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    proc = await spawn_serve(slack, tmp_path, port)
    count = 40
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await wait_healthy(http, port)

            async def submit(i: int) -> int:
                fields = {**GOOD, "change": f"Change number {i} done"}
                body = view_submission(fields, view_id=f"V{i}")
                async with http.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    data=body,
                    headers=signed_headers(SECRET, body),
                ) as resp:
                    return resp.status

            assert await asyncio.gather(*(submit(i) for i in range(count))) == [200] * count
        proc.kill()  # SIGKILL: acknowledged entries, confirmations maybe not yet posted
        await proc.wait()
        before = len(slack.messages_in("C1"))
        proc = await spawn_serve(slack, tmp_path, port)
        # Within the listener's lease (30 s) for any confirmation caught mid-send.
        await slack.wait_for(lambda: len(slack.messages_in("C1")) >= count, timeout=60)
        await asyncio.sleep(0.5)  # nothing more may come
        texts = [m.text or "" for m in slack.messages_in("C1")]
        assert len(texts) == count, (before, len(texts))
        for i in range(count):
            assert sum(f"Change number {i} done" in t for t in texts) == 1
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def wait_healthy(http: aiohttp.ClientSession, port: int) -> None:
    for _ in range(200):  # bounded: 20 s
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("serve never became healthy")
