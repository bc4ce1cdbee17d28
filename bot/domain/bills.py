"""What a bill file becomes: cost lines, or the list of what is wrong with it. Pure.

Both readers (FOCUS in `focus.py`, the plain `date,vendor,amount` CSV in `plain_bill.py`)
take the file as lines of bytes, so a line that is too long or not UTF-8 is named by its
number before the CSV reader sees it, and a file is read whole or refused whole.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "MAX_AMOUNT",
    "MAX_LINE",
    "BillRefused",
    "CostLine",
    "Problems",
    "amount_of",
    "formula_problem",
    "text_lines",
]

# A physical line longer than this is no bill line (a FOCUS row with tags is ~1 KiB).
MAX_LINE = 64 * 1024
# A trillion a line: more is a broken export (or 1e308), never a bill.
MAX_AMOUNT = 1e12
# Listed one by one; past this the refusal says how many more there were.
MAX_LISTED = 50

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
# Cells a spreadsheet would run as a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "@", "\t", "\r", "-")


class CostLine(NamedTuple):
    """One charge as stored. `start`/`end` are unix seconds (UTC): a line that is spread
    counts each day of [start, end) pro rata; a `whole` one counts entirely at `start`."""

    start: float
    end: float
    whole: bool
    amount: float
    category: str  # ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment) or "Plain"
    line: int
    account: str = ""  # BillingAccountId
    period: str = ""  # BillingPeriodStart (a FOCUS export restates account + period)
    provider: str = ""
    service: str = ""
    service_category: str = ""
    resource: str = ""
    tags: str = ""  # canonical JSON object, "" for none
    vendor: str = ""
    component: str = ""  # a plain CSV may name the component itself
    note: str = ""
    correction: bool = False


@dataclass
class Problems:
    """Every bad row, each with its line and why; the file is refused if there is one."""

    found: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, line: int, why: str) -> None:
        if len(self.found) < MAX_LISTED:
            self.found.append(f"line {line}: {why}")
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def lines(self) -> list[str]:
        return [*self.found, *([f"... and {self.more} more"] if self.more else [])]


class BillRefused(Exception):
    """The file is not stored; `problems` names each bad line (or the file's own fault)."""

    def __init__(self, problems: list[str], example: str = "") -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems
        self.example = example


class _Fatal(Exception):
    def __init__(self, line: int, why: str) -> None:
        super().__init__(why)
        self.line = line
        self.why = why


def _decoded(raw: Iterable[bytes], counter: list[int]) -> Iterator[str]:
    for number, chunk in enumerate(raw, start=1):
        counter[0] = number
        if len(chunk) > MAX_LINE:
            raise _Fatal(
                number, f"the line is {len(chunk):,} bytes; a bill line is at most {MAX_LINE:,}"
            )
        if b"\x00" in chunk:
            raise _Fatal(number, "the line holds a NUL byte: not a text CSV")
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Fatal(number, f"not UTF-8 (byte {exc.start + 1} of the line)") from None
        if number == 1:
            text = text.removeprefix("\ufeff")  # a spreadsheet's byte-order mark
        yield text


def text_lines(raw: Iterable[bytes], problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each CSV record; a fault that stops reading (a line too long,
    bad UTF-8, a broken quote) goes to `problems` and ends the records."""
    counter = [0]
    reader = csv.reader(_decoded(raw, counter), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except _Fatal as exc:
        problems.add(exc.line, exc.why)
    except csv.Error as exc:
        problems.add(counter[0], f"not CSV: {exc}")


def amount_of(text: str) -> float:
    """A decimal amount as written (`-12.5`, `3e2`); ValueError says what is wrong."""
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a number (write e.g. 12.34 or -5)")
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_AMOUNT:
        raise ValueError(f"{text[:40]!r} is out of range (at most {MAX_AMOUNT:,.0f} a line)")
    return value


def formula_problem(column: str, text: str) -> str | None:
    """Why a text cell is refused: one that a spreadsheet would run as a formula."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return f"{column} starts with {text[0]!r}: a spreadsheet formula, refused"
    return None
