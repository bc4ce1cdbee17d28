"""The change log in and out of files: the template's Markdown table and CSV (every field).

Importing validates every row first (one bad row writes nothing), then writes them in short
transactions with pauses between, so a served bot sharing the database keeps writing. Each
row's idempotency key comes from its content, so importing a file twice adds nothing, and
an import stopped half way and run again adds the rest.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.domain.changes import Change, ChangeDraft, content_key, validate_change_fields
from bot.domain.plan import Plan
from store.changes import ChangeStore

__all__ = [
    "CSV_COLUMNS",
    "IMPORT_BATCH",
    "IMPORT_PAUSE",
    "MARKDOWN_HEADER",
    "MAX_FILE_BYTES",
    "ImportResult",
    "RawRow",
    "import_changes",
    "neutralise",
    "parse_csv",
    "parse_file",
    "parse_markdown_table",
    "to_csv",
    "to_markdown",
    "unneutralise",
]

MARKDOWN_HEADER = ("Date", "Change", "Reason", "Impact")
# Rows an import writes in one transaction (about a tenth of a second of the write lock),
# and the least it then lets go: SQLite's busy handler looks again every 100 ms, so a
# writer waiting in another process (a served bot) always gets its turn.
IMPORT_BATCH = 500
# A change-log file to import: 100,000 entries of full-length fields is about 30 MiB.
MAX_FILE_BYTES = 64 * 1024 * 1024
IMPORT_PAUSE = 0.1
CSV_COLUMNS = (
    "id",
    "date",
    "change",
    "reason",
    "impact",
    "cost_change",
    "tier",
    "recorded_by",
    "channel_id",
    "created_at",
    "edited_at",
    "edited_by",
)


@dataclass(frozen=True)
class RawRow:
    """A row as found in a file, with the line it came from (1-based)."""

    line: int
    fields: dict[str, str]


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- Markdown ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Table syntax escaped so `parse_markdown_table` reads the text back exactly: a
    backslash, a `|` and line breaks as `\\\\`, `\\|`, `\\n` and `\\r`."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "\\r").replace("\n", "\\n")


def to_markdown(changes: list[Change]) -> str:
    """The template's table: `| Date | Change | Reason | Impact |`, newest first."""
    lines = [
        "| " + " | ".join(MARKDOWN_HEADER) + " |",
        "|" + "|".join("-" * (len(h) + 2) for h in MARKDOWN_HEADER) + "|",
    ]
    ordered = sorted(changes, key=lambda c: (c.date, c.id), reverse=True)
    for c in ordered:
        cells = (c.date.isoformat(), c.change, c.reason, c.impact)
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return "\n".join(lines) + "\n"


_UNESCAPE = {"|": "|", "\\": "\\", "n": "\n", "r": "\r"}


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, current, escaped = [], [], False
    for ch in body:
        if escaped:
            # What `_cell` writes; any other backslash is kept as typed (`C:\\temp`).
            current.append(_UNESCAPE.get(ch, "\\" + ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    cells.append("".join(current).strip())
    return cells


def _is_placeholder(cells: list[str]) -> bool:
    return all(c.startswith("[") and c.endswith("]") for c in cells if c)


def parse_markdown_table(text: str) -> list[RawRow]:
    """Rows of every `| Date | Change | Reason | Impact |` table in `text` (template
    placeholder rows such as `| [DATE] | [What] | ... |` are left out)."""
    rows: list[RawRow] = []
    in_table = False
    # Lines end at CR/LF only: str.splitlines() also breaks at \x1c-\x1e, \x85 and
    # \u2028, which a cell may hold.
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            in_table = False
            continue
        cells = _split_row(stripped)
        if [c.lower() for c in cells] == [h.lower() for h in MARKDOWN_HEADER]:
            in_table = True
            continue
        if not in_table or all(set(c) <= set("-: ") for c in cells):
            continue
        if _is_placeholder(cells):
            continue
        cells = (cells + [""] * 4)[:4] if len(cells) <= 4 else cells
        if len(cells) != 4:
            rows.append(RawRow(number, {"_error": f"{len(cells)} cells, expected 4"}))
            continue
        rows.append(
            RawRow(number, dict(zip(("date", "change", "reason", "impact"), cells, strict=True)))
        )
    return rows


# -- CSV -----------------------------------------------------------------------------------------


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = frozenset(CSV_COLUMNS) - {
    "id",
    "date",
    "cost_change",
    "tier",
    "created_at",
    "edited_at",
}


def _needs_quote(text: str) -> bool:
    return text.startswith(_FORMULA) or (text.startswith("'") and _needs_quote(text[1:]))


def neutralise(text: str) -> str:
    """A text cell a spreadsheet shows as text: `'` before a formula start (and before a `'`
    that would hide one), which `unneutralise` takes off again."""
    return "'" + text if _needs_quote(text) else text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def to_csv(changes: list[Change]) -> str:
    """Every field of every live entry, oldest first; text cells neutralised. Rows end in
    CRLF (RFC 4180), which also makes the writer quote a cell holding a bare CR."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(changes, key=lambda c: (c.date, c.id)):
        data = c.model_dump()
        writer.writerow(
            [
                neutralise(value) if col in _TEXT_COLUMNS else value
                for col, value in ((col, _csv_value(data.get(col))) for col in CSV_COLUMNS)
            ]
        )
    return out.getvalue()


def parse_csv(text: str) -> list[RawRow]:
    """Rows of a CSV with a header naming at least date, change and reason. ValueError for
    a file that is not CSV as read here (a field over the csv module's 128 KiB, say)."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[RawRow] = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. "field larger than field limit (131072)"
            raise ValueError(f"line {reader.line_num}: not CSV as expected: {exc}") from None
        line = reader.line_num
        fields = {
            name: unneutralise(value) if name in _TEXT_COLUMNS else value
            for name, value in (
                (str(k).strip().lower(), (v or "").strip()) for k, v in record.items() if k
            )
        }
        rows.append(RawRow(line, fields))
    return rows


def parse_file(path: Path) -> list[RawRow]:
    """The rows of a change-log file (CSV or a Markdown table); OSError, UnicodeDecodeError
    or ValueError (not a regular file, over MAX_FILE_BYTES, not CSV) when it is none."""
    if not path.is_file():
        raise ValueError("not a regular file; give a .csv or .md file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; split it")
    # newline="": a CR or CRLF inside a quoted CSV cell is the cell's, not a line end.
    with path.open(encoding="utf-8-sig", newline="") as f:
        text = f.read()
    if path.suffix.lower() == ".csv" or text.lstrip().lower().startswith(("date,", "id,")):
        return parse_csv(text)
    return parse_markdown_table(text)


# -- import --------------------------------------------------------------------------------------


def import_changes(
    rows: list[RawRow],
    store: ChangeStore,
    plan: Plan,
    now: datetime,
    by: str = "import",
    pause: Callable[[float], None] = time.sleep,
) -> ImportResult:
    """Validate every row first (nothing is written if any row is bad), then add them in
    short transactions of IMPORT_BATCH rows, so a served bot sharing the database keeps
    writing meanwhile. Each row's key is its content's: an import killed half way and run
    again adds the rest and nothing twice."""
    result = ImportResult()
    ready: list[tuple[ChangeDraft, str, str | None, str]] = []
    for row in rows:
        if "_error" in row.fields:
            result.errors.append(f"line {row.line}: {row.fields['_error']}")
            continue
        draft, errors = validate_change_fields(row.fields, plan, now.date())
        if draft is None:
            detail = "; ".join(f"{name}: {message}" for name, message in errors.items())
            result.errors.append(f"line {row.line}: {detail}")
            continue
        who = row.fields.get("recorded_by") or by
        channel = row.fields.get("channel_id") or None
        ready.append((draft, who, channel, content_key(draft, "import")))
    if result.errors:
        return result
    held = 0.0
    for start in range(0, len(ready), IMPORT_BATCH):
        if start:
            pause(max(IMPORT_PAUSE, held))
        began = time.monotonic()
        added, skipped = store.add_many(ready[start : start + IMPORT_BATCH], now)
        held = time.monotonic() - began
        result.added += added
        result.skipped += skipped
    return result
