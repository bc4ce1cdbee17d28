"""The Dockerfile runs a real CLI subcommand and checks a real route of the web app."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app.cli import _parser
from bot.app.web import build_web_app
from bot.core.config import Settings
from bot.deps import build_deps
from store import Store

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> dict[str, list[str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.setdefault(word.upper(), []).append(rest.strip())
    return found


def test_cmd_is_a_real_cli_subcommand() -> None:
    (cmd,) = instructions()["CMD"]
    argv = json.loads(cmd)
    assert argv[0] == "capacity-bot"
    args = _parser().parse_args(argv[1:])
    assert args.command == "serve"


def test_healthcheck_is_the_bots_own_healthcheck_command() -> None:
    (check,) = instructions()["HEALTHCHECK"]
    assert "curl" not in check
    argv = json.loads(check.split(" CMD ", 1)[1])
    assert argv[0] == "capacity-bot"
    assert _parser().parse_args(argv[1:]).command == "healthcheck"
    # and the command asks a real route of the web app
    deps = build_deps(Settings(), store=Store(":memory:"))
    app = build_web_app(deps, None)
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    assert ("GET", "/healthz") in routes


def test_image_is_slim_non_root_with_a_data_volume() -> None:
    found = instructions()
    assert found["FROM"] == ["python:3.11-slim"]
    assert found["USER"] and found["USER"][-1] not in ("root", "0")
    assert "/data" in found["VOLUME"]
    assert any("CAPACITY_DB=/data/capacity.db" in env for env in found["ENV"])
    assert "3000" in found["EXPOSE"]
    # Runtime dependencies only, never the test tools; the chart is an opt-in build arg,
    # so the default image stays slim.
    installs = [run for run in found["RUN"] if "pip install" in run]
    assert installs and all("test" not in run for run in installs)
    assert found["ARG"] == ['EXTRAS=""']
