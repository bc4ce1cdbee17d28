"""`capacity-bot serve` as a real process: healthy, answers a signed command, exits 0 on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import aiohttp

from bot.core.logsafe import SafeLogFilter
from bot.jobs.alerts import evaluate_once
from store import Store
from tests.fakeslack import FakeSlack, aim_at, slash_command_body
from tests.notify.test_delivery import push
from tests.slack.conftest import SECRET, signed_headers
from tests.slack.harness import GOOD, view_submission
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.serve_process import ROOT, free_port, serve_process, wait_healthy


async def spawn_serve(
    slack: FakeSlack, tmp_path: Path, port: int, extra: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot serve` on 127.0.0.1:port against the fake Slack, in a bare environment."""
    env = {
        **(extra or {}),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
    }
    return await serve_process(env, port, cwd=tmp_path)


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
    from bot.app.serve import configure_logging

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
        body = aim_at(slash_command_body("tier 2"), slack.api_url)
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
            # The team's stated total is what answers show (issue 22): an edit changes both.
            total = "**Total New Cost**: $95/mo → $415/mo (+$320/mo, +337%)"
            assert total in template
            edited = template.replace(row, row.replace("+$50/mo", "+$85/mo"))
            document.write_text(
                edited.replace(total, "**Total New Cost**: $95/mo → $450/mo (+$355/mo, +374%)")
            )
            proc.send_signal(signal.SIGHUP)
            await answer_with(http, "$95/mo -&gt; $450/mo")
            # Nothing to serve without a cost: the one refusal left (issue 22).
            document.write_text(template.replace("**Budget**: $40/mo total", "**Budget**: ?"))
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
        assert "expected `**Budget**: $40/mo total`" in log
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
            await wait_healthy(http, f"http://127.0.0.1:{port}")

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
