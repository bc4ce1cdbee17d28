"""What the serving benchmarks share: child servers, a fake Slack on its own thread, and the
signed `/capacity tier 2` request.

The fake Slack runs on a thread with its own event loop so that receiving a large upload
never delays the load generator's clock (latencies are measured on the main loop).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakeslack import FakeSlack, signed_headers, slash_command_body  # noqa: E402

SECRET = "bench-secret"
TOKEN = "xoxb-test"

__all__ = [
    "ROOT",
    "SECRET",
    "Child",
    "SlackThread",
    "free_port",
    "percentiles",
    "rss_mb",
    "signed_command",
    "wait_healthy",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p99, max) by nearest rank; NaNs when empty."""
    if not values:
        return (float("nan"),) * 3
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


def signed_command(text: str, channel: str = "C1") -> tuple[bytes, dict[str, str]]:
    body = slash_command_body(text, channel_id=channel)
    return body, signed_headers(SECRET, body)


async def wait_healthy(
    http: aiohttp.ClientSession, port: int, child: Child | None = None, limit: float = 30.0
) -> float:
    """Seconds until GET /healthz answered 200 (polled every 5 ms)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if child is not None and child.proc is not None and child.proc.returncode is not None:
            raise RuntimeError(f"{child.args[1:3]} exited with {child.proc.returncode}")
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return time.perf_counter() - started
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.005)
    raise TimeoutError("server never became healthy")


class Child:
    """A server process, stopped with SIGTERM (then killed) on exit."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.args, self.env = args, env
        self.proc: asyncio.subprocess.Process | None = None
        self.spawned = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def __aenter__(self) -> Child:
        self.spawned = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self.args,
            env=self.env,
            cwd=str(ROOT),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=None if os.environ.get("BENCH_VERBOSE") else asyncio.subprocess.DEVNULL,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def bot_env(api_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of `capacity-bot serve` in HTTP mode against the fake Slack."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def bare_args(port: int, api_url: str) -> list[str]:
    script = str(ROOT / "bench" / "bare_bolt.py")
    return [sys.executable, script, "--port", str(port), "--api-url", api_url, "--secret", SECRET]


class SlackThread:
    """A FakeSlack serving from a thread of its own; `api_url` once entered."""

    def __init__(self) -> None:
        self.slack: FakeSlack | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fake-slack", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with FakeSlack(bot_token=TOKEN) as slack:
                self.slack = slack
                self._ready.set()
                await self._stop.wait()

        asyncio.run(main())

    def __enter__(self) -> SlackThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("fake Slack did not start")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    @property
    def api_url(self) -> str:
        assert self.slack is not None
        return self.slack.api_url

    def count(self, method: str) -> int:
        assert self.slack is not None
        return sum(1 for call in list(self.slack.calls) if call.method == method)
