from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import Context, build_router
from bot.digest.data import DigestInput
from bot.domain.plan import Plan
from bot.render.text import render_text
from tests.digest.conftest import NOW, seeded_week


class SeededSource:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.asked: list[datetime] = []

    def digest_input(self, now: datetime) -> DigestInput:
        self.asked.append(now)
        return seeded_week(self.plan)


def test_digest_command_without_a_source_reads_no_data(plan: Plan) -> None:
    reply = build_router().dispatch("digest", Context(plan=plan, now=NOW, user_id="U1"))
    text = render_text(reply)
    assert not reply.error
    assert "Weekly capacity digest: our product, 2026-W48" in text
    assert "no data" in text
    assert "Preview: only you can see this" in text


def test_digest_command_uses_the_digest_source(plan: Plan) -> None:
    source = SeededSource(plan)
    ctx = Context(plan=plan, now=NOW, user_id="U1", services={"digest_source": source})
    text = render_text(build_router().dispatch("/capacity digest", ctx))
    assert source.asked == [NOW]
    assert "Thu 03 Dec 2026" in text and "$32.50" in text


def test_digest_command_takes_no_arguments(plan: Plan) -> None:
    reply = build_router().dispatch("digest now", Context(plan=plan, now=NOW))
    assert reply.error


def test_help_lists_digest(plan: Plan) -> None:
    assert "/capacity digest" in render_text(build_router().dispatch("help", Context(plan, NOW)))


def test_cli_prints_the_digest_and_writes_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the store opens ./capacity.db by default
    chart = tmp_path / "digest.png"
    assert main(["digest", "--chart", str(chart)]) == 0
    assert "Weekly capacity digest" in capsys.readouterr().out
    assert chart.read_bytes().startswith(b"\x89PNG")
