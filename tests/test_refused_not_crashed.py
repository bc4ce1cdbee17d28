"""Refused, not crashed: what an unlucky operator or an attacker hands the real CLI and the
served bot is refused with one line saying why, never a traceback, never a hang."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.fakeslack import FakeSlack
from tests.slack.conftest import SECRET
from tests.support.serve_process import (
    ROOT,
    free_port,
    output_of,
    serve_process,
    stop_process,
    wait_healthy,
)

LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        ),
    ]
)


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def refused(run: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    said = run.stdout + run.stderr
    assert run.returncode == code, said
    assert "Traceback" not in said, said
    for word in words:
        assert word in said, said
    return said


def test_a_billion_laughs_plan_is_refused_before_it_expands(tmp_path: Path) -> None:
    plan = tmp_path / "laughs.yaml"
    plan.write_text(LAUGHS)
    refused(cli("check-plan", str(plan)), 1, "aliases (*name) are not allowed")


def test_plans_that_are_not_utf8_fifos_or_devices_are_refused(tmp_path: Path) -> None:
    for name in ("plan.yaml", "plan.md"):
        bad = tmp_path / name
        bad.write_bytes(
            "# Capacity Planning\n\nBudget: 40 \u20ac\n".encode("latin-1", "replace") + b"\xff\xfe"
        )
        refused(cli("check-plan", str(bad)), 1, "is not UTF-8")
        said = refused(cli("doctor", env={"CAPACITY_PLAN": str(bad)}, cwd=tmp_path), 1)
        assert "is not UTF-8" in said
    fifo = tmp_path / "plan-fifo.yaml"
    os.mkfifo(fifo)
    refused(cli("check-plan", str(fifo)), 1, "it is a FIFO")
    refused(cli("check-plan", "/dev/zero"), 1, "it is a device")
    refused(cli("import-plan", "/dev/zero"), 1, "it is a device")


def test_bad_settings_and_a_device_as_the_database_are_named(tmp_path: Path) -> None:
    refused(
        cli("ask", "tier 2", env={"CAPACITY_TIMEZONE": "A" * 5000}),
        2,
        "CAPACITY_TIMEZONE",
        "(5,000 characters) is not an IANA time zone",
    )
    said = refused(cli("doctor", env={"CAPACITY_DB": "/dev/null"}, cwd=tmp_path), 1)
    assert "CAPACITY_DB=/dev/null: cannot write (it is not a regular file" in said
    assert "ok   database" not in said


def test_change_log_files_with_oversized_fields_or_nul_bytes_write_nothing(tmp_path: Path) -> None:
    env = {"CAPACITY_DB": str(tmp_path / "capacity.db")}
    big = tmp_path / "big.csv"
    big.write_text("date,change,reason\n2026-01-01," + "x" * 140_000 + ",load\n")
    refused(cli("import-changes", str(big), env=env), 1, "field larger than field limit")
    cost = tmp_path / "cost.csv"
    cost.write_text("date,change,reason,cost_change\n2026-01-01,API,load,$" + "1" * 140 + "\n")
    refused(cli("import-changes", str(cost), env=env), 1, "Keep the cost change to 30 characters")
    nul = tmp_path / "nul.csv"
    nul.write_text("date,change,reason\n2026-01-01,Added\x00 a replica,load\n")
    refused(cli("import-changes", str(nul), env=env), 1, "control character in it (U+0000)")
    assert "0 added" not in refused(cli("import-changes", str(nul), env=env), 1)


async def test_a_served_bot_whose_plan_becomes_a_fifo_refuses_it_and_still_stops(
    slack: FakeSlack, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text((ROOT / "bot" / "data" / "default-plan.yaml").read_text())
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "CAPACITY_PLAN": str(plan),
    }
    port = free_port()
    proc = await serve_process(env, port, cwd=tmp_path)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await wait_healthy(http, f"http://127.0.0.1:{port}")
            plan.unlink()
            os.mkfifo(plan)  # nobody ever writes to it
            proc.send_signal(signal.SIGHUP)
            await asyncio.sleep(6)  # the SIGHUP and a poll of the file
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        _, err = await output_of(proc)
    finally:
        await stop_process(proc)
    log = err.decode()
    assert "it is a FIFO, not a plan file" in log
    assert "Traceback" not in log
