"""The terminal renderer lines columns up by what a terminal shows, not by code points:
CJK characters and most emoji take two columns, combining marks none."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from wcwidth import wcswidth

from bot.render.text import NARROW, display_width, render_text, table_lines
from bot.reply import Facts, Reply, Table


def test_display_width_counts_terminal_columns() -> None:
    assert display_width("abc") == 3
    assert display_width("日本語") == 6
    assert display_width("🚀") == 2
    assert display_width("e\u0301") == 1  # e + combining acute
    assert display_width("a\x07") == 2  # a control character: counted, never negative


def test_cjk_and_emoji_cells_line_up() -> None:
    table = Table(
        columns=("Component", "Cost"),
        rows=(("Cache", "$10"), ("データベース", "$120"), ("🚀 Launch", "$5"), ("Café", "$1,200")),
        numeric=(False, True),
    )
    lines = table_lines(table)
    # Every line (header, rule, rows) ends at the same terminal column.
    assert len({wcswidth(line) for line in lines}) == 1, lines
    # Left-aligned, the second column starts at the same column on every row.
    left = table_lines(Table(columns=table.columns, rows=table.rows))
    assert len({wcswidth(line[: line.index("$")]) for line in left[2:]}) == 1, left


def test_facts_labels_line_up_by_display_width() -> None:
    text = render_text(
        Reply(title="容量", parts=(Facts(pairs=(("ユーザー", "850"), ("Cost", "$40"))),))
    )
    title, rule, first, second = text.splitlines()[:4]
    assert len(rule) == wcswidth(title) == 4
    assert wcswidth(first[: first.index("850")]) == wcswidth(second[: second.index("$40")])


def test_the_narrow_characters_are_one_column_each_as_wcwidth_says() -> None:
    """display_width skips wcwidth (and its ~1 MB of tables) for text made only of NARROW
    characters: wcwidth must agree that every one of them is one column wide."""
    narrow = re.compile(f"[{NARROW}]")
    admitted = [chr(cp) for cp in range(0x30000) if narrow.fullmatch(chr(cp))]
    assert len(admitted) > 1000
    assert [c for c in admitted if wcswidth(c) != 1] == []
    assert display_width("Cost — £1,200 → 3×") == len("Cost — £1,200 → 3×")
    assert display_width("e\u0301 — é") == 5  # a combining mark after narrow text: wcwidth


def test_slack_answers_do_not_load_wcwidth() -> None:
    """A served bot answering plan-only commands never needs wcwidth's tables."""
    code = (
        "import sys\n"
        "from bot.commands import build_router\n"
        "from bot.render.blocks import render_message\n"
        "from tests.support.metrics_helpers import Clock, make_deps\n"
        "ctx = make_deps(Clock()).context('U1')\n"
        "router = build_router()\n"
        "for text in ('tier 2', 'tiers', 'cost 5000', 'breakeven 30', 'compute 100',\n"
        "             'connections 10 4', 'storage 300', 'targets', 'help', 'scenario'):\n"
        "    reply = router.dispatch(router.parse(text), ctx)\n"
        "    assert not reply.error, text\n"
        "    render_message(reply, command=text)\n"
        "print('wcwidth' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
