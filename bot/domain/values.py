"""The one formatter: a value with its unit, a money amount, a moment in the team's zone.

Every surface (commands, alert messages, the digest) writes figures through these, so `$81.60`
and `-$5` read the same everywhere. Replies may carry the typed values themselves (`Money`,
`Quantity`, `Moment`) so each renderer can choose: plain text writes `shown(value)`, Block Kit
shows a `Moment` in each reader's own zone with Slack's date formatting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Literal

from bot.domain.money import fmt_money, fmt_number

__all__ = [
    "Moment",
    "MomentStyle",
    "Money",
    "Prose",
    "Quantity",
    "Value",
    "fmt_moment",
    "fmt_value",
    "shown",
]

# Written against the number, as the template does: `1,000ms`, `40GB`, `85%`. Other units
# are words and take a space: `850 users`.
_SYMBOLS = frozenset({"%", "ms", "s", "KB", "MB", "GB", "TB"})

MomentStyle = Literal["minute", "day", "short", "time"]
_FORMATS: dict[str, str] = {
    "minute": "%Y-%m-%d %H:%M %Z",  # 2026-11-27 10:00 UTC
    "day": "%a %d %b %Y",  # Fri 27 Nov 2026
    "short": "%a %d %b %H:%M %Z",  # Fri 27 Nov 10:00 UTC
    "time": "%H:%M %Z",  # 10:00 UTC (an hourly digest's "since")
}


def fmt_value(value: float | Decimal | None, unit: str = "", *, sign: bool = False) -> str:
    """`$81.60`, `-$5`, `892ms`, `87%`, `850 users`, `no data`; `sign` adds `+` to the rest.

    Measured values are shown to two decimals at most; money to the cent (`fmt_money`).
    """
    if value is None:
        return "no data"
    rounded = Decimal(str(round(float(value), 2))) if not isinstance(value, Decimal) else value
    if unit == "$":
        return fmt_money(rounded, sign=sign)
    body = fmt_number(abs(rounded))
    if unit in _SYMBOLS:
        body = f"{body}{unit}"
    elif unit:
        body = f"{body} {unit}"
    if rounded < 0:
        return f"-{body}"
    return f"+{body}" if sign else body


def fmt_moment(at: datetime, zone: tzinfo = UTC, style: MomentStyle = "minute") -> str:
    """`at` in `zone`: `2026-11-27 10:00 UTC` (with the zone's abbreviation), or the digest's
    `Fri 27 Nov 2026` and `Fri 27 Nov 10:00 UTC`."""
    return at.astimezone(zone).strftime(_FORMATS[style])


@dataclass(frozen=True)
class Money:
    amount: Decimal
    sign: bool = False  # `+$55` for a change


@dataclass(frozen=True)
class Quantity:
    value: float | Decimal | None  # None: no data
    unit: str = ""
    sign: bool = False


@dataclass(frozen=True)
class Moment:
    at: datetime
    zone: tzinfo = UTC  # the team's zone (CAPACITY_TIMEZONE), for text
    style: MomentStyle = "minute"


Value = str | Money | Quantity | Moment


def shown(value: Value) -> str:
    """A value as plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Money):
        return fmt_money(value.amount, sign=value.sign)
    if isinstance(value, Quantity):
        return fmt_value(value.value, value.unit, sign=value.sign)
    return fmt_moment(value.at, value.zone, value.style)


class Prose(str):
    """A sentence that carries typed values: `Prose("no messages until ", Moment(...), ".")`.

    It *is* its plain text (each value through `shown`: a moment in the team's zone with its
    abbreviation), so it goes wherever a reply takes words (a paragraph, a note, a list item,
    a fact) and every text surface reads it unchanged; Block Kit looks at `pieces` and shows
    each Moment with Slack's date formatting, in the reader's own zone. Joining it to other
    text with `+` or an f-string makes a plain str: build the whole sentence as one Prose.
    """

    pieces: tuple[str | Money | Quantity | Moment, ...]

    def __new__(cls, *pieces: str | Money | Quantity | Moment) -> Prose:
        flat: list[str | Money | Quantity | Moment] = []
        for piece in pieces:
            flat.extend(piece.pieces if isinstance(piece, Prose) else (piece,))
        self = super().__new__(cls, "".join(shown(p) for p in flat))
        self.pieces = tuple(flat)
        return self

    def __reduce__(self) -> tuple[type[Prose], tuple[str | Money | Quantity | Moment, ...]]:
        return (Prose, self.pieces)

    @staticmethod
    def joined(separator: str, items: Iterable[str]) -> Prose:
        """`separator.join(items)` that keeps the moments inside Prose items."""
        pieces: list[str | Money | Quantity | Moment] = []
        for n, item in enumerate(items):
            if n:
                pieces.append(separator)
            pieces.append(item)
        return Prose(*pieces)
