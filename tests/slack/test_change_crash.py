"""Kill -9 in the middle of a stream of submissions: every acknowledged one is on disk."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp

from store import Store
from tests.fakeslack import FakeSlack, signed_headers
from tests.slack.harness import GOOD, SECRET, view_submission

SERVER = Path(__file__).with_name("change_server.py")


async def test_sigkill_mid_stream_loses_no_acknowledged_submission(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    async with FakeSlack() as fake:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SERVER),
            str(db),
            fake.api_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            assert proc.stdout is not None
            port = int(await asyncio.wait_for(proc.stdout.readline(), timeout=30))
            url = f"http://127.0.0.1:{port}/slack/events"
            acked: list[str] = []
            timeout = aiohttp.ClientTimeout(total=5)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                for i in range(400):
                    if i == 60:
                        # Kill while the stream goes on: the next posts race the kill.
                        asyncio.get_running_loop().call_later(0.05, proc.kill)  # SIGKILL
                    change = f"Crash test change {i}"
                    body = view_submission({**GOOD, "change": change}, view_id=f"V{i}")
                    try:
                        async with session.post(
                            url, data=body, headers=signed_headers(SECRET, body)
                        ) as response:
                            await response.read()
                            if response.status == 200:
                                acked.append(change)
                    except (aiohttp.ClientError, TimeoutError):
                        break
        finally:
            if proc.returncode is None:
                proc.kill()
            await asyncio.wait_for(proc.wait(), timeout=10)
    # -9; asyncio's child watcher may report 255 when the reap races the kill.
    assert proc.returncode in (-signal.SIGKILL, 255)
    assert len(acked) >= 60
    store = Store(db)
    stored = {c.change for c in store.changes.all()}
    store.close()
    assert set(acked) <= stored
