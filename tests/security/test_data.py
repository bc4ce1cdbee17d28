"""What leaves or enters as data: exports, the metrics API, the database file."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.changes import Change
from bot.planio.changelog import (
    neutralise,
    parse_csv,
    parse_markdown_table,
    to_csv,
    to_markdown,
    unneutralise,
)
from bot.web.ingest import make_metrics_routes
from store import Store
from tests.support.metrics_helpers import TOKEN, Clock, make_deps

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=x", '=HYPERLINK("http://x")']


def entry(text: str, reason: str = "why", impact: str = "") -> Change:
    return Change(
        id=1,
        date=date(2026, 11, 20),
        change=text,
        reason=reason,
        impact=impact,
        recorded_by="U1",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(text: str) -> None:
    exported = to_csv([entry(text, reason=text, impact=text)])
    rows = list(csv.reader(io.StringIO(exported, newline="")))
    header, row = rows[0], rows[1]
    for column in ("change", "reason", "impact"):
        cell = row[header.index(column)]
        assert cell.startswith("'"), cell


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_neutralising_reads_back_exactly(text: str) -> None:
    assert unneutralise(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_csv_and_markdown_exports_read_back_exactly(text: str) -> None:
    reason = f"r {text} r"  # cells are trimmed on import: keep the edges printable
    change = entry(f"c {text} c", reason=reason, impact=reason)
    (from_csv,) = parse_csv(to_csv([change]))
    assert from_csv.fields["reason"] == reason
    (from_md,) = parse_markdown_table(to_markdown([change]))
    assert from_md.fields["reason"] == reason
    assert from_md.fields["impact"] == reason


def test_markdown_keeps_pipes_backslashes_and_line_breaks() -> None:
    text = "a | b \\| c\\\\ d\nnext line\r\nand `code|pipe`"
    (row,) = parse_markdown_table(to_markdown([entry("x", reason=text)]))
    assert row.fields["reason"] == text


async def _metrics_client() -> TestClient:
    app = web.Application()
    app.add_routes(make_metrics_routes(make_deps(Clock())))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.mark.parametrize(
    "body",
    [
        b'{"samples": [{"metric": "mau", "value": ' + b"9" * 5000 + b"}]}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"samples": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        json.dumps({"samples": [{"metric": ["mau"], "value": 1}]}).encode(),
        json.dumps({"samples": [{"metric": {"a": 1}, "value": 1}]}).encode(),
        json.dumps({"samples": [{"metric": None, "value": 1}]}).encode(),
        json.dumps({"samples": [{"metric": "mau", "value": [1]}]}).encode(),
        json.dumps({"samples": [{"metric": "mau", "value": 1e400}]}).encode(),
        json.dumps({"samples": [{"metric": "mau", "value": 1, "at": ["x"]}]}).encode(),
        json.dumps({"samples": "mau"}).encode(),
        json.dumps([1, 2]).encode(),
        b"\xff\xfe",
        b"",
        b"NaN",
    ],
)
async def test_every_metrics_api_failure_is_a_4xx_with_a_json_reason(body: bytes) -> None:
    client = await _metrics_client()
    try:
        resp = await client.post(
            "/api/metrics", data=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert 400 <= resp.status < 500
        answer = await resp.json()
        assert answer["ok"] is False and answer["error"]
    finally:
        await client.close()


def test_the_database_and_its_wal_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    store = Store(path)
    store.changes.count()
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    store.close()


def test_an_older_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    Store(path).close()
    os.chmod(path, 0o644)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
