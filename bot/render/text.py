"""Reply -> plain text for the terminal and for Slack's notification fallback."""

from __future__ import annotations

import re

from bot.domain.values import Prose, Typed, shown
from bot.reply import Code, Facts, Part, Reply, Section, Table, Text, Value

__all__ = ["bare", "cell_text", "display_width", "plain", "render_text", "table_lines"]

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(text: str) -> str:
    """Drop `**bold**` marks; keep everything else as written."""
    return _BOLD.sub(r"\1", text)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: 2 for CJK and most emoji, 0 for combining marks."""
    # Imported here: only the terminal needs it, and Slack answers stay import-light.
    from wcwidth import wcswidth

    width = wcswidth(text)
    return len(text) if width < 0 else width  # control characters: count them as one each


def _pad(cell: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(cell))
    return gap + cell if right else cell + gap


def bare(text: str) -> str:
    """The commands in a Prose as the shell and `ask` take them (`breakeven 30`); Slack's
    form, `/capacity breakeven 30`, is the plain text it carries otherwise."""
    if not isinstance(text, Prose) or not any(isinstance(p, Typed) for p in text.pieces):
        return text
    return "".join(p.words if isinstance(p, Typed) else shown(p) for p in text.pieces)


def cell_text(value: Value, *, slack: bool = True) -> str:
    """A cell or fact value as text: typed values through the one formatter, in the zone
    they carry (the team's); commands bare unless for Slack."""
    if isinstance(value, Typed) and not slack:
        return value.words
    if isinstance(value, str):
        return plain(value if slack else bare(value))
    return shown(value)


def table_lines(table: Table, *, slack: bool = True) -> list[str]:
    """An aligned table; numeric columns right-aligned."""
    rows = [
        tuple(plain(c) for c in table.columns),
        *(tuple(cell_text(c, slack=slack) for c in r) for r in table.rows),
    ]
    count = len(table.columns)
    widths = [
        max(display_width(row[i]) if i < len(row) else 0 for row in rows) for i in range(count)
    ]
    numeric = table.numeric or (False,) * count

    def line(row: tuple[str, ...]) -> str:
        cells = []
        for i in range(count):
            cell = row[i] if i < len(row) else ""
            right = i < len(numeric) and numeric[i]
            cells.append(_pad(cell, widths[i], right))
        return "  ".join(cells).rstrip()

    out = [line(rows[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    return out


def _part(part: Part, slack: bool) -> list[str]:
    def words(text: str) -> str:
        return plain(text if slack else bare(text))

    if isinstance(part, Text):
        return [words(part.text)]
    if isinstance(part, Facts):
        width = max((display_width(label) for label, _ in part.pairs), default=0)
        return [
            f"{_pad(label + ':', width + 1, False)} {cell_text(value, slack=slack)}"
            for label, value in part.pairs
        ]
    if isinstance(part, Table):
        head = [part.title + ":"] if part.title else []
        return head + table_lines(part, slack=slack)
    if isinstance(part, Section):
        items = [
            f"  {n}. {words(item)}" if part.numbered else f"  - {words(item)}"
            for n, item in enumerate(part.items, start=1)
        ]
        return [f"{part.heading}:", *items]
    if isinstance(part, Code):
        return ([f"{part.title}:"] if part.title else []) + list(part.lines)
    raise TypeError(part)


def render_text(reply: Reply, *, slack: bool = False) -> str:
    """For the terminal (commands bare, as the shell takes them), or `slack` for the text
    beside Block Kit (`/capacity tier 2`)."""
    lines = [("Error: " if reply.error else "") + plain(reply.title)]
    lines.append("=" * min(display_width(lines[0]), 72))
    for part in reply.parts:
        lines.extend(_part(part, slack))
        lines.append("")
    lines.extend(plain(note if slack else bare(note)) for note in reply.notes)
    return "\n".join(lines).rstrip() + "\n"
