"""A SIGKILLed bot leaves nothing behind: the child drawing the digest chart, the child
building a change-log export and multiprocessing's resource tracker all end with it.

Everything the served bot starts inherits its environment, so a marker variable names
the bot's processes in /proc whoever their parent is by then (an orphan is reparented).
The digest slot is due at start because the bot's clock starts just after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from store import Store
from tests.fakeslack import FakeSlack, aim_at, slash_command_body
from tests.slack.conftest import SECRET, signed_headers
from tests.support.serve_process import free_port, serve_process, stop_process, wait_healthy

MARK = "CAPACITY_TEST_BOT"
# A Monday, 30 s after the default cron's slot (`0 9 * * mon`): the catch-up digest runs.
SLOT_DUE = datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC)


def processes_marked(mark: str) -> set[int]:
    """Live (not zombie) processes whose environment holds MARK=mark."""
    needle = f"{MARK}={mark}".encode()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if needle in environ.split(b"\0") and state not in ("Z", "X"):
            found.add(int(entry.name))
    return found


async def wait_for_children(mark: str, bot: int, count: int) -> set[int]:
    for _ in range(600):  # bounded: 60 s
        children = processes_marked(mark) - {bot}
        if len(children) >= count:
            return children
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never started {count} child process(es)")


async def assert_all_gone(mark: str) -> None:
    for _ in range(50):  # bounded: 5 s
        left = processes_marked(mark)
        if not left:
            return
        await asyncio.sleep(0.1)
    cmdlines = [Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in left]
    for pid in left:  # not to outlive the test either
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"still alive 5 s after the bot was killed: {cmdlines}")


def env_for(slack: FakeSlack, tmp_path: Path, mark: str) -> dict[str, str]:
    return {
        MARK: mark,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
    }


async def test_a_bot_killed_mid_chart_leaves_no_process(slack: FakeSlack, tmp_path: Path) -> None:
    mark = uuid.uuid4().hex
    port = free_port()
    proc = await serve_process(
        env_for(slack, tmp_path, mark),
        port,
        cwd=tmp_path,
        output=asyncio.subprocess.DEVNULL,
        clock_at=SLOT_DUE,
    )
    try:
        # The chart's child and the resource tracker: the catch-up digest is drawing.
        await wait_for_children(mark, proc.pid, 2)
        await stop_process(proc)  # SIGKILL
        await assert_all_gone(mark)
    finally:
        await stop_process(proc)
    assert not slack.messages_in("C0ALERTS")  # killed before it could post


async def test_a_bot_killed_mid_export_leaves_no_process(slack: FakeSlack, tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    with store.db.conn:  # one statement: the import path checks each row, 100,000 is slow
        store.db.conn.executemany(
            "INSERT INTO changes (date, change, reason, impact, recorded_by, created_at,"
            " idempotency_key) VALUES ('2026-01-01', ?, 'load', '', 'U1', ?, ?)",
            [(f"Change {i}", "2026-11-27T10:00:00+00:00", f"k{i}") for i in range(100_000)],
        )
    assert store.changes.count() == 100_000
    store.close()
    mark = uuid.uuid4().hex
    port = free_port()
    proc = await serve_process(
        env_for(slack, tmp_path, mark), port, cwd=tmp_path, output=asyncio.subprocess.DEVNULL
    )
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            base = f"http://127.0.0.1:{port}"
            await wait_healthy(http, base)
            body = aim_at(
                slash_command_body("changes export", response_url=slack.new_response_url()),
                slack.api_url,
            )
            async with http.post(
                f"{base}/slack/events", data=body, headers=signed_headers(SECRET, body)
            ) as resp:
                assert resp.status == 200
        await wait_for_children(mark, proc.pid, 2)
        await asyncio.sleep(0.5)  # into the export's work
        await stop_process(proc)  # SIGKILL
        await assert_all_gone(mark)
    finally:
        await stop_process(proc)
