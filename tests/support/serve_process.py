"""Real processes on 127.0.0.1 for the tests (and probes) that start one: `python -m bot
serve` in a bare environment with a bounded wait for health, and a real Prometheus."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Collection, Iterator
from datetime import datetime
from pathlib import Path

import aiohttp

__all__ = [
    "PROMETHEUS",
    "ROOT",
    "free_port",
    "hold_write_lock",
    "output_of",
    "prometheus_process",
    "serve_process",
    "served_env",
    "stop_process",
    "wait_healthy",
]

# Python 3.11's Process.wait() returns only once the child's pipes are closed too: a
# grandchild that outlived it and holds them would keep an unbounded wait forever.
WAIT = 15.0

ROOT = Path(__file__).resolve().parents[2]
# tests.support.clocked_serve's flag (not imported: it would load the whole bot here).
REFUSE_LOOP_WRITES = "--refuse-loop-writes"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served_env(
    token: str, api_url: str, secret: str, channel: str, db: Path, **more: str
) -> dict[str, str]:
    """The environment of a served bot talking to the fake Slack at `api_url`, writing `db`;
    `more` adds variables by name (CAPACITY_PLAN=..., CAPACITY_INGEST_TOKEN=...)."""
    return {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": api_url,
        "CAPACITY_ALERTS_CHANNEL": channel,
        "CAPACITY_DB": str(db),
        **more,
    }


async def serve_process(
    env: dict[str, str],
    port: int,
    cwd: Path | None = None,
    output: int = asyncio.subprocess.PIPE,
    clock_at: datetime | None = None,
    refuse_loop_writes: bool = False,
) -> asyncio.subprocess.Process:
    """`serve` on 127.0.0.1:port with only PATH, PYTHONPATH and `env` (which wins) set:
    nothing from the developer's environment leaks in. With `clock_at`, the bot's clock
    starts at that instant instead of the wall clock's; with `refuse_loop_writes`, SQLite
    refuses every write from the event loop's thread (both: tests.support.clocked_serve)."""
    tested = clock_at is not None or refuse_loop_writes
    program = ("-m", "tests.support.clocked_serve") if tested else ("-m", "bot", "serve")
    at = () if clock_at is None else (clock_at.isoformat(),)
    guard = (REFUSE_LOOP_WRITES,) if refuse_loop_writes else ()
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *program,
        *at,
        *guard,
        *("--host", "127.0.0.1", "--port", str(port)),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        stdout=output,
        stderr=output,
    )


async def stop_process(proc: asyncio.subprocess.Process, timeout: float = WAIT) -> None:
    """SIGKILL `proc` if it still runs, and wait (bounded) until it and its pipes are done."""
    if proc.returncode is None:
        proc.kill()
    try:
        await asyncio.wait_for(proc.wait(), timeout)
    except TimeoutError:
        raise AssertionError(
            f"pid {proc.pid} ended but its output pipes are still held: a child outlived it"
        ) from None


async def output_of(proc: asyncio.subprocess.Process, timeout: float = WAIT) -> tuple[bytes, bytes]:
    """Everything `proc` wrote to its pipes (stdout, stderr), read until they close (bounded)."""
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        raise AssertionError(f"pid {proc.pid}'s output pipes never closed") from None
    return out or b"", err or b""


_HOLDER = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "db.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"  # until the test lets go (or dies)
)


@contextlib.asynccontextmanager
async def hold_write_lock(path: Path) -> AsyncIterator[None]:
    """Another process holds `path`'s SQLite write lock inside (as an import, a backup or a
    second bot would), and lets go on exit."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), WAIT)
        assert line.strip() == b"locked", line
        yield
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), WAIT)
        except TimeoutError:
            await stop_process(proc)


async def wait_healthy(
    http: aiohttp.ClientSession, base: str, statuses: Collection[int] = (200,)
) -> None:
    for _ in range(200):  # bounded: 20 s
        try:
            async with http.get(f"{base}/healthz") as resp:
                if resp.status in statuses:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("serve never became healthy")


@contextlib.contextmanager
def prometheus_process(
    target_port: int, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real Prometheus on 127.0.0.1 scraping 127.0.0.1:target_port every second: its URL
    and process, stopped (then killed) on exit."""
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: capacity-bot\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
