"""What the serving benchmarks share: child servers, a fake Slack on its own thread, and the
signed `/capacity tier 2` request.

The fake Slack runs in a process of its own so that receiving a large upload never delays
the load generator's clock (latencies are measured on its loop).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
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
    "SlackProcess",
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


# Where the fake Slack takes response_url posts. The bot posts only to Slack's own hosts, or
# to the origin of an overridden SLACK_API_URL: `SlackProcess` sets this to that origin.
RESPONSE_BASE = "http://127.0.0.1:9/"


def signed_command(text: str, channel: str = "C1") -> tuple[bytes, dict[str, str]]:
    body = slash_command_body(
        text, channel_id=channel, response_url=f"{RESPONSE_BASE}response/bench"
    )
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


class SlackProcess:
    """A FakeSlack in a process of its own, so that receiving a 10 MB upload never holds
    the load generator's GIL (that would show as latency of the server under test).
    `count(method)` asks it, over HTTP, how many calls to `method` it has seen."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.api_url = ""
        self._control = ""

    def __enter__(self) -> SlackProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--fake-slack"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=str(ROOT),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2:
            raise RuntimeError("the fake Slack did not start")
        self.api_url, self._control = line
        global RESPONSE_BASE
        RESPONSE_BASE = self.api_url.removesuffix("api/")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    async def count(self, http: aiohttp.ClientSession, method: str) -> int:
        async with http.get(f"{self._control}/count/{method}") as resp:
            return int(await resp.text())


def _serve_fake_slack() -> None:
    from aiohttp import web

    async def main() -> None:
        async with FakeSlack(bot_token=TOKEN) as slack:

            async def count(request: web.Request) -> web.Response:
                method = request.match_info["method"]
                return web.Response(text=str(sum(1 for c in slack.calls if c.method == method)))

            app = web.Application()
            app.router.add_get("/count/{method}", count)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            print(slack.api_url, f"http://127.0.0.1:{port}", flush=True)
            await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__" and sys.argv[1:] == ["--fake-slack"]:
    _serve_fake_slack()
