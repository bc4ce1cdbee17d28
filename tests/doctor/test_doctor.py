"""`capacity-bot doctor` against the fake Slack: healthy, and each thing a deployment gets
wrong, with the line that names the fix and the exit code."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app.doctor import report, run_checks
from bot.core.config import Settings
from bot.slack.manifest import BOT_SCOPES
from store import Store
from tests.fakeslack import FakeSlack
from tests.support.local_server import serve_local

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "C0ALERTS"
# Slack's signing secrets are 32 hex characters.
SIGNING_SECRET = "0123456789abcdef" * 2


def settings(slack: FakeSlack, tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": slack.bot_token,
        "signing_secret": SIGNING_SECRET,
        "api_url": slack.api_url,
        "alerts_channel": CHANNEL,
        "db_path": tmp_path / "capacity.db",
    }
    values.update(changes)
    return Settings(**values)


async def doctor(settings: Settings) -> tuple[int, dict[str, str]]:
    """Exit code and each check's line (`ok ...` or `fix ...`), by check name."""
    out = io.StringIO()
    code = report(await run_checks(settings), out)
    lines = out.getvalue().splitlines()
    by_name: dict[str, str] = {}
    for line in lines[:-1]:
        for check in (
            "token",
            "scopes",
            "alerts channel",
            "mode",
            "plan",
            "database",
            "ingest token",
            "alert routes",
            "prometheus",
        ):
            if line[5:].startswith(check + " "):
                by_name[check] = line
    assert len(by_name) == len(lines) - 1 == 9, lines
    return code, by_name


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(channels={CHANNEL: "capacity-alerts"}, scopes=BOT_SCOPES) as fake:
        yield fake


@pytest.fixture
async def prometheus() -> AsyncIterator[str]:
    """A stand-in for Prometheus's readiness endpoint."""

    async def ready(_: web.Request) -> web.Response:
        return web.Response(text="Prometheus Server is Ready.\n")

    app = web.Application()
    app.router.add_get("/-/ready", ready)
    runner, port = await serve_local(app, access_log=None)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


async def test_a_healthy_setup_passes_every_check(
    slack: FakeSlack, tmp_path: Path, prometheus: str
) -> None:
    Store(tmp_path / "capacity.db").close()
    code, lines = await doctor(
        settings(slack, tmp_path, ingest_token="a" * 32, prometheus_url=prometheus)
    )
    assert code == 0
    assert all(line.startswith("ok ") for line in lines.values()), lines
    assert "#capacity-alerts, the bot is a member" in lines["alerts channel"]
    assert "@capacitybot in Fake Workspace" in lines["token"]
    assert "migrations current" in lines["database"]
    assert "ready" in lines["prometheus"]


async def test_a_refused_token_names_the_variable(slack: FakeSlack, tmp_path: Path) -> None:
    code, lines = await doctor(settings(slack, tmp_path, bot_token="xoxb-revoked"))
    assert code == 1
    assert lines["token"].startswith("fix")
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in lines["token"]
    assert "xoxb-revoked" not in "".join(lines.values())


async def test_a_missing_scope_says_which_and_how_to_add_it(tmp_path: Path) -> None:
    granted = [s for s in BOT_SCOPES if s != "files:write"]
    async with FakeSlack(channels={CHANNEL: "capacity-alerts"}, scopes=granted) as slack:
        code, lines = await doctor(settings(slack, tmp_path))
    assert code == 1
    assert lines["scopes"].startswith("fix")
    assert "lacks the scope(s) files:write" in lines["scopes"]
    assert "reinstall" in lines["scopes"]
    assert lines["token"].startswith("ok")


async def test_a_bot_not_in_the_channel_is_told_to_invite_it(tmp_path: Path) -> None:
    async with FakeSlack(
        channels={CHANNEL: "capacity-alerts"}, scopes=BOT_SCOPES, not_member={CHANNEL}
    ) as slack:
        code, lines = await doctor(settings(slack, tmp_path))
    assert code == 1
    assert lines["alerts channel"].startswith("fix")
    assert "the bot is not in #capacity-alerts" in lines["alerts channel"]
    assert "/invite @capacity-bot" in lines["alerts channel"]


async def test_a_channel_name_instead_of_an_id_is_not_found(
    slack: FakeSlack, tmp_path: Path
) -> None:
    code, lines = await doctor(settings(slack, tmp_path, alerts_channel="capacity-alerts"))
    assert code == 1
    assert "CAPACITY_ALERTS_CHANNEL=capacity-alerts: no such channel" in lines["alerts channel"]


async def test_an_unwritable_database_names_the_variable(slack: FakeSlack, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database's directory should be\n")
    code, lines = await doctor(settings(slack, tmp_path, db_path=blocker / "capacity.db"))
    assert code == 1
    assert lines["database"].startswith("fix")
    assert f"CAPACITY_DB={blocker / 'capacity.db'}: cannot write" in lines["database"]
    assert "is a file, not a directory" in lines["database"]


async def test_a_file_that_is_not_a_database_is_refused(slack: FakeSlack, tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    path.write_text("not sqlite\n")
    code, lines = await doctor(settings(slack, tmp_path, db_path=path))
    assert code == 1
    assert "it is not an SQLite database" in lines["database"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
async def test_a_read_only_database_file_is_refused(slack: FakeSlack, tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    Store(path).close()
    path.chmod(0o444)
    code, lines = await doctor(settings(slack, tmp_path, db_path=path))
    assert code == 1 and "cannot write" in lines["database"]


async def test_http_mode_without_a_signing_secret_and_a_short_ingest_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    code, lines = await doctor(settings(slack, tmp_path, signing_secret=None, ingest_token="tiny"))
    assert code == 1
    assert "SLACK_SIGNING_SECRET is not set" in lines["mode"]
    assert "or set SLACK_APP_TOKEN for Socket Mode" in lines["mode"]
    assert "CAPACITY_INGEST_TOKEN is 4 characters" in lines["ingest token"]


async def test_socket_mode_checks_the_app_token(slack: FakeSlack, tmp_path: Path) -> None:
    code, lines = await doctor(
        settings(slack, tmp_path, signing_secret=None, app_token=slack.app_token)
    )
    assert code == 0 and "Socket Mode" in lines["mode"]
    code, lines = await doctor(
        settings(slack, tmp_path, signing_secret=None, app_token="xapp-revoked")
    )
    assert code == 1
    assert "SLACK_APP_TOKEN was refused by Slack" in lines["mode"]


async def test_an_unreachable_slack_and_prometheus_name_their_urls(tmp_path: Path) -> None:
    async with FakeSlack() as gone:
        api_url = gone.api_url
    code, lines = await doctor(
        Settings(
            bot_token="xoxb-x",
            signing_secret=SIGNING_SECRET,
            api_url=api_url,
            alerts_channel=CHANNEL,
            db_path=tmp_path / "capacity.db",
            prometheus_url="http://scraper:hunter2hunter2@" + api_url.removeprefix("http://"),
        )
    )
    assert code == 1
    assert f"SLACK_API_URL: cannot reach Slack's Web API at {api_url}" in lines["token"]
    assert "CAPACITY_PROMETHEUS_URL: cannot reach Prometheus" in lines["prometheus"]
    assert "hunter2" not in "".join(lines.values())


async def test_the_command_prints_the_lines_and_exits_1(slack: FakeSlack, tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0NOPE",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1, err.decode()
    text = out.decode()
    assert "fix  alerts channel  CAPACITY_ALERTS_CHANNEL=C0NOPE: no such channel" in text
    assert "ok   token" in text
    assert text.rstrip().endswith("1 of 9 checks need a fix")


async def test_bad_configuration_is_a_fix_line_not_a_traceback(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "CAPACITY_TIMEZONE": "Mars/Olympus",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert out.decode().startswith("fix  configuration  CAPACITY_TIMEZONE:")
    assert b"Traceback" not in err


async def test_a_route_the_plan_wants_but_nobody_configured_names_its_variable(
    slack: FakeSlack, tmp_path: Path
) -> None:
    text = (ROOT / "bot" / "data" / "default-plan.yaml").read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        re.sub(r"(- \{name: Error rate, .*?severity: )p1", r"\g<1>p0", text, count=1),
        encoding="utf-8",
    )
    code, lines = await doctor(settings(slack, tmp_path, plan_path=plan))
    assert code == 1
    assert lines["alert routes"].startswith("fix")
    assert "p0 alerts route to PagerDuty, which is not configured" in lines["alert routes"]
    assert "set CAPACITY_PAGERDUTY_ROUTING_KEY" in lines["alert routes"]


async def test_a_separate_p0_channel_is_checked_too(tmp_path: Path) -> None:
    async with FakeSlack(
        channels={CHANNEL: "capacity-alerts", "C0PAGE": "incidents"},
        scopes=BOT_SCOPES,
        not_member={"C0PAGE"},
    ) as slack:
        out = io.StringIO()
        code = report(await run_checks(settings(slack, tmp_path, alerts_channel_p0="C0PAGE")), out)
    assert code == 1
    assert "ok   alerts channel  CAPACITY_ALERTS_CHANNEL=C0ALERTS" in out.getvalue()
    assert (
        "fix  p0 channel      CAPACITY_ALERTS_CHANNEL_P0=C0PAGE: the bot is not in #incidents"
        in out.getvalue()
    )
