"""Docker's health check after the README's path: `cp .env.example .env` leaves `PORT=`
empty. The Dockerfile's and compose.yaml's HEALTHCHECK commands, run as written against a
bot served with that environment, find it healthy (the bot and its check read PORT the
same way); with nothing served they report unhealthy with exit 1."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import yaml

from tests.fakeslack import FakeSlack
from tests.slack.conftest import SECRET
from tests.support.serve_process import ROOT, wait_healthy

DEFAULT_PORT = 3000  # what `serve` and the check make of an empty PORT


def dockerfile_check() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    (line,) = [ln for ln in text.splitlines() if ln.strip().startswith("HEALTHCHECK")]
    return list(json.loads(line.split(" CMD ", 1)[1]))


def compose_check() -> list[str]:
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    (service,) = spec["services"].values()
    test = list(service["healthcheck"]["test"])
    assert test[0] == "CMD"
    return test[1:]


def env_example() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.M))


def runnable(argv: list[str]) -> list[str]:
    """The image has `capacity-bot` and `python` on PATH; here they are this venv's."""
    bin_dir = Path(sys.executable).parent
    head = {"capacity-bot": str(bin_dir / "capacity-bot"), "python": sys.executable}
    return [head.get(argv[0], argv[0]), *argv[1:]]


def container_env(slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    env = env_example()
    assert env["PORT"] == ""  # the README's path leaves it empty, present
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        CAPACITY_ALERTS_CHANNEL="C0ALERTS",
        CAPACITY_DB=str(tmp_path / "capacity.db"),  # compose sets /data/capacity.db
    )
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}


async def run_check(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *runnable(argv),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.mark.parametrize("where", ["Dockerfile", "compose.yaml"])
async def test_the_images_health_check_finds_a_bot_served_with_an_empty_port(
    where: str, slack: FakeSlack, tmp_path: Path
) -> None:
    check = dockerfile_check() if where == "Dockerfile" else compose_check()
    assert port_free(DEFAULT_PORT), "port 3000 is taken on this machine; the test needs it"
    env = container_env(slack, tmp_path)
    # Nothing served yet: unhealthy, exit 1 (Docker's only "unhealthy" code).
    code, out = await run_check(check, env)
    assert code == 1, out
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "serve", "--host", "127.0.0.1"),  # the image's CMD, no --port
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await wait_healthy(http, f"http://127.0.0.1:{DEFAULT_PORT}")
        code, out = await run_check(check, env)
        assert code == 0, out
        assert f"127.0.0.1:{DEFAULT_PORT}/healthz" in out
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=20)


async def test_the_check_reports_a_503_as_unhealthy(tmp_path: Path) -> None:
    from aiohttp import web

    from bot.app.healthcheck import healthcheck
    from bot.core.config import Settings
    from tests.support.local_server import serve_local

    async def down(request: web.Request) -> web.Response:
        return web.json_response({"status": "down"}, status=503)

    app = web.Application()
    app.router.add_get("/healthz", down)
    runner, port = await serve_local(app)
    try:
        out = tmp_path / "out.txt"
        with out.open("w") as sink:
            code = await asyncio.to_thread(healthcheck, Settings(port=port), 4.0, sink)
    finally:
        await runner.cleanup()
    assert code == 1
    assert "answered 503" in out.read_text()
