"""The terminal renderer lines columns up by what a terminal shows, not by code points:
CJK characters and most emoji take two columns, combining marks none."""

from __future__ import annotations

from wcwidth import wcswidth

from bot.render.text import display_width, render_text, table_lines
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
