from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.cli import main
from bot.commands import Context, build_router
from bot.domain.changes import ChangeDraft
from bot.domain.plan import Plan
from bot.render.text import render_text
from store import Store
from tests.digest.conftest import NOW, seeded_week


def test_digest_command_without_a_source_reads_no_data(plan: Plan) -> None:
    reply = build_router().dispatch("digest", Context(plan=plan, now=NOW, user_id="U1"))
    text = render_text(reply)
    assert not reply.error
    assert "Weekly capacity digest, 2026-W48" in text
    assert "no data" in text
    assert "Preview: only you can see this" in text


def test_digest_command_reads_the_week_from_the_store(plan: Plan) -> None:
    store = Store(":memory:")
    week = seeded_week(plan)
    for samples in week.samples.values():
        store.metrics.add_batch(samples)
    for change in week.changes:
        draft = ChangeDraft(
            date=change.date, change=change.change, reason="test", cost_change=change.cost_change
        )
        store.changes.add(draft, "U1", "C1", change.change, NOW)
    ctx = Context(plan=plan, now=NOW, user_id="U1", store=store)
    text = render_text(build_router().dispatch("/capacity digest", ctx))
    # db_connections rises 14 a week from 68 towards tier 1's trigger of 80.
    assert "Dedicated Redis" in text and "Thu 03 Dec 2026" in text


def test_digest_command_takes_no_arguments(plan: Plan) -> None:
    reply = build_router().dispatch("digest now", Context(plan=plan, now=NOW))
    assert reply.error


def test_help_lists_digest(plan: Plan) -> None:
    text = render_text(build_router().dispatch("help", Context(plan, NOW)))
    assert "\ndigest " in text  # the shell takes `digest` as it stands


def test_cli_prints_the_digest_and_writes_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the store opens ./capacity.db by default
    chart = tmp_path / "digest.png"
    assert main(["digest", "--chart", str(chart)]) == 0
    assert "Weekly capacity digest" in capsys.readouterr().out
    assert chart.read_bytes().startswith(b"\x89PNG")
