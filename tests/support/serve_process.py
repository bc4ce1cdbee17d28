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
from collections.abc import Collection, Iterator
from pathlib import Path

import aiohttp

__all__ = [
    "PROMETHEUS",
    "ROOT",
    "free_port",
    "prometheus_process",
    "serve_process",
    "wait_healthy",
]

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve_process(
    env: dict[str, str],
    port: int,
    cwd: Path | None = None,
    output: int = asyncio.subprocess.PIPE,
) -> asyncio.subprocess.Process:
    """`serve` on 127.0.0.1:port with only PATH, PYTHONPATH and `env` (which wins) set:
    nothing from the developer's environment leaks in."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        stdout=output,
        stderr=output,
    )


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
