"""The change log in and out of files: the template's Markdown table and CSV (every field).

Importing validates every row first and writes all of them in one transaction or none.
Each row's idempotency key comes from its content, so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.domain.changes import Change, ChangeDraft, content_key, validate_change_fields
from bot.domain.plan import Plan
from store.changes import ChangeStore

__all__ = [
    "CSV_COLUMNS",
    "MARKDOWN_HEADER",
    "ImportResult",
    "RawRow",
    "import_changes",
    "parse_csv",
    "parse_file",
    "parse_markdown_table",
    "to_csv",
    "to_markdown",
]

MARKDOWN_HEADER = ("Date", "Change", "Reason", "Impact")
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
    return " ".join(text.split()).replace("|", "\\|")


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


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, current, escaped = [], [], False
    for ch in body:
        if escaped:
            current.append(ch if ch == "|" else "\\" + ch)
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
    for number, line in enumerate(text.splitlines(), start=1):
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


def to_csv(changes: list[Change]) -> str:
    """Every field of every live entry, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(changes, key=lambda c: (c.date, c.id)):
        data = c.model_dump()
        writer.writerow([_csv_value(data.get(col)) for col in CSV_COLUMNS])
    return out.getvalue()


def parse_csv(text: str) -> list[RawRow]:
    """Rows of a CSV with a header naming at least date, change and reason."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[RawRow] = []
    for record in reader:
        line = reader.line_num
        fields = {str(k).strip().lower(): (v or "").strip() for k, v in record.items() if k}
        rows.append(RawRow(line, fields))
    return rows


def parse_file(path: Path) -> list[RawRow]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv" or text.lstrip().lower().startswith(("date,", "id,")):
        return parse_csv(text)
    return parse_markdown_table(text)


# -- import --------------------------------------------------------------------------------------


def import_changes(
    rows: list[RawRow], store: ChangeStore, plan: Plan, now: datetime, by: str = "import"
) -> ImportResult:
    """Validate every row, then add them all in one transaction; nothing if any row is bad."""
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
    result.added, result.skipped = store.add_many(ready, now)
    return result
