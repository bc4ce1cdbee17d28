"""`capacity-bot import-changes` of 30,000 rows beside a served bot: the bot keeps writing
while the import runs (short transactions), and an import SIGKILLed half way and run
again finishes with every row once."""

from __future__ import annotations

import asyncio
import csv
import os
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import aiohttp

from store import Store
from tests.fakeslack import FakeSlack
from tests.slack.conftest import SECRET
from tests.support.serve_process import ROOT, free_port, serve_process, stop_process, wait_healthy

ROWS = 30_000
INGEST = "ingest-token-for-tests"


def write_csv(path: Path) -> None:
    start = date(2023, 1, 1)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["date", "change", "reason", "impact"])
        for i in range(ROWS):
            out.writerow([start + timedelta(days=i % 1000), f"Imported change {i}", "load", ""])


def imported(db: Path) -> int:
    store = Store(db)
    try:
        return sum(c.change.startswith("Imported change ") for c in store.changes.all())
    finally:
        store.close()


def count_imported(db: Path) -> int:
    with sqlite3.connect(db, timeout=10) as conn:
        row = conn.execute(
            "SELECT count(*) FROM changes WHERE change LIKE 'Imported change %'"
        ).fetchone()
    return int(row[0])


async def run_import(csv_path: Path, db: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "import-changes", str(csv_path)),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "CAPACITY_DB": str(db)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_served_bot_writes_during_an_import_and_a_killed_import_reruns_without_doubles(
    slack: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "capacity.db"
    source = tmp_path / "changes.csv"
    write_csv(source)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(db),
        "CAPACITY_INGEST_TOKEN": INGEST,
    }
    bot = await serve_process(env, port, cwd=tmp_path, output=asyncio.subprocess.DEVNULL)
    first = None
    try:
        # Slack's 3 seconds bound every request to the bot.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            await wait_healthy(http, base)
            first = await run_import(source, db)
            for _ in range(1200):  # bounded: 60 s
                if count_imported(db) > 0:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the import never wrote")
            sample = {"samples": [{"metric": "mau", "value": 850}]}
            headers = {"Authorization": f"Bearer {INGEST}"}
            async with http.post(f"{base}/api/metrics", json=sample, headers=headers) as resp:
                assert resp.status == 200, await resp.text()
            done = count_imported(db)
            first.kill()  # SIGKILL, half way
            await asyncio.wait_for(first.wait(), 15)
            assert 0 < done < ROWS and first.returncode == -9
        again = await run_import(source, db)
        assert await asyncio.wait_for(again.wait(), 100) == 0
    finally:
        await stop_process(bot)
        if first is not None:
            await stop_process(first)
    assert imported(db) == ROWS  # every row, none twice
    store = Store(db)
    try:
        assert store.metrics.count() == 1
    finally:
        store.close()
