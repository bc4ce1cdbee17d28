"""Reply -> plain text for the terminal and for Slack's notification fallback."""

from __future__ import annotations

import re
import textwrap

from bot.domain.values import Prose, Typed, shown
from bot.reply import Code, Facts, Part, Reply, Section, Table, Text, Value

__all__ = ["NARROW", "bare", "cell_text", "display_width", "plain", "render_text", "table_lines"]

_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Characters one terminal column wide each, whatever follows them (wcwidth agrees on every
# one: tests/render): printable ASCII, Latin-1 and Latin Extended, general punctuation
# (dashes, quotes, ellipsis), currency signs, letterlike symbols, arrows, mathematical
# operators, box drawing and geometric shapes.
NARROW = (
    " -~\u00a1-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0"
    "\u2100-\u218b\u2190-\u22ff\u2500-\u25fc"
)
_NARROW = re.compile(f"[{NARROW}]*")


def plain(text: str) -> str:
    """Drop `**bold**` marks; keep everything else as written."""
    return _BOLD.sub(r"\1", text)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: 2 for CJK and most emoji, 0 for combining marks."""
    if _NARROW.fullmatch(text):
        return len(text)  # one column a character: wcwidth's tables are not needed
    # Imported here, for text beyond NARROW only: its tables cost ~1 MB in every process
    # that loads them, and an idle bot keeps them (docs/PERFORMANCE.md, memory).
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


def _stacked(table: Table, width: int, slack: bool) -> list[str]:
    """A table too wide for the terminal, one block a row: its first cell, then the others
    indented and wrapped to `width` (a terminal wraps a long line into a mess)."""
    out: list[str] = []
    for row in table.rows:
        cells = [cell_text(c, slack=slack) for c in row]
        out.append(cells[0] if cells else "")
        for name, cell in zip(table.columns[1:], cells[1:], strict=False):
            out += textwrap.wrap(
                f"{plain(name)}: {cell}" if name != table.columns[1] else cell,
                width=max(20, width),
                initial_indent="    ",
                subsequent_indent="    ",
            ) or ["    "]
    return out


def _fit(lines: list[str], width: int | None) -> list[str]:
    """Lines wrapped to `width` with a hanging indent under their label; as they are
    without a width (a pipe, a file: the README's examples)."""
    if width is None:
        return lines
    fitted: list[str] = []
    for line in lines:
        if display_width(line) <= width:
            fitted.append(line)
            continue
        lead = len(line) - len(line.lstrip())
        label = re.match(r"\s*(?:[-\d.]+ |[^:]{1,30}:\s+)?", line)
        hang = " " * min(len(label.group(0)) if label else lead, width // 2)
        fitted += textwrap.wrap(line, width=width, subsequent_indent=hang) or [""]
    return fitted


def _part(part: Part, slack: bool, width: int | None = None) -> list[str]:
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
        lines = table_lines(part, slack=slack)
        if width is not None and max(map(display_width, lines), default=0) > width:
            return head + _stacked(part, width, slack)
        return head + lines
    if isinstance(part, Section):
        items = [
            f"  {n}. {words(item)}" if part.numbered else f"  - {words(item)}"
            for n, item in enumerate(part.items, start=1)
        ]
        return [f"{part.heading}:", *items]
    if isinstance(part, Code):
        return ([f"{part.title}:"] if part.title else []) + list(part.lines)
    raise TypeError(part)


def render_text(reply: Reply, *, slack: bool = False, width: int | None = None) -> str:
    """For the terminal (commands bare, as the shell takes them), or `slack` for the text
    beside Block Kit (`/capacity tier 2`). `width`: the terminal's columns, which every line
    then fits (tables too wide for it are stacked, one block a row)."""
    lines = [("Error: " if reply.error else "") + plain(reply.title)]
    lines.append("=" * min(display_width(lines[0]), 72, width or 72))
    for part in reply.parts:
        lines.extend(_part(part, slack, width))
        lines.append("")
    lines.extend(plain(note if slack else bare(note)) for note in reply.notes)
    return "\n".join(_fit(lines, width)).rstrip() + "\n"
