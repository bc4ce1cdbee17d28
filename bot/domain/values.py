"""The one formatter: a value with its unit, a money amount, a moment in the team's zone.

Every surface (commands, alert messages, the digest) writes figures through these, so `$81.60`
and `-$5` read the same everywhere. Replies may carry the typed values themselves (`Money`,
`Quantity`, `Moment`) so each renderer can choose: plain text writes `shown(value)`, Block Kit
shows a `Moment` in each reader's own zone with Slack's date formatting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Literal

from bot.domain.money import (
    currency_symbol,
    fmt_money,
    fmt_money_span,
    fmt_number,
    fmt_percent_span,
)
from bot.domain.span import Span

__all__ = [
    "SLASH",
    "TERMINAL",
    "Moment",
    "MomentStyle",
    "Money",
    "Person",
    "Piece",
    "Prose",
    "Quantity",
    "Typed",
    "Value",
    "fmt_amount",
    "fmt_count",
    "fmt_moment",
    "fmt_percent_change",
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


def fmt_amount(value: Decimal | Span, *, sign: bool = False, symbol: str | None = None) -> str:
    """An amount of the plan's money, one figure or a range: `$40`, `€35–50`, `+$10–25`."""
    if isinstance(value, Span):
        return fmt_money_span(value.low, value.high, sign=sign, symbol=symbol)
    return fmt_money(value, sign=sign, symbol=symbol)


def fmt_count(bounds: Span) -> str:
    """`8`, or `8–12` for a range of whole customers."""
    low, high = fmt_number(bounds.low), fmt_number(bounds.high)
    return low if low == high else f"{low}–{high}"


def fmt_percent_change(value: Decimal | Span, mode: str = "half_up") -> str:
    """A change as a signed percentage, one figure or a range: `+137%`, `+30–70%`."""
    bounds = value if isinstance(value, Span) else Span(value, value)
    return fmt_percent_span(bounds.low, bounds.high, mode, sign=True)


def fmt_moment(at: datetime, zone: tzinfo = UTC, style: MomentStyle = "minute") -> str:
    """`at` in `zone`: `2026-11-27 10:00 UTC` (with the zone's abbreviation), or the digest's
    `Fri 27 Nov 2026` and `Fri 27 Nov 10:00 UTC`."""
    return at.astimezone(zone).strftime(_FORMATS[style])


def _symbol() -> str:
    return currency_symbol()


@dataclass(frozen=True)
class Money:
    amount: Decimal | Span
    sign: bool = False  # `+$55` for a change
    # The plan's currency where the amount was made: a renderer may run outside it.
    symbol: str = field(default_factory=_symbol)


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


@dataclass(frozen=True)
class Person:
    """Who did something: a Slack user id (`U123`), or `terminal` for the shell. Slack
    mentions a user id (showing their name); text writes the id, the shell's as itself."""

    id: str


TERMINAL = "terminal"  # the user id the shell and `capacity-bot ask` act as
SLASH = "/capacity"  # the Slack command (manifest.yml)


@dataclass(frozen=True)
class Typed:
    """A command as a person types it, `breakeven 30`: in Slack after the slash command
    (`/capacity breakeven 30`), bare where the shell and `capacity-bot ask` take it."""

    words: str


Value = str | Money | Quantity | Moment | Person | Typed
Piece = str | Money | Quantity | Moment | Person | Typed


def shown(value: Value) -> str:
    """A value as plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Typed):
        # Slack's form: the plain text of a Prose also goes beside Block Kit and into stores.
        return f"{SLASH} {value.words}".rstrip()
    if isinstance(value, Person):
        return "the terminal" if value.id == TERMINAL else value.id or "someone"
    if isinstance(value, Money):
        return fmt_amount(value.amount, sign=value.sign, symbol=value.symbol)
    if isinstance(value, Quantity):
        return fmt_value(value.value, value.unit, sign=value.sign)
    return fmt_moment(value.at, value.zone, value.style)


class Prose(str):
    """A sentence that carries typed values: `Prose("no messages until ", Moment(...), ".")`
    or `Prose("by ", Person("U123"))`.

    It *is* its plain text (each value through `shown`: a moment in the team's zone with its
    abbreviation), so it goes wherever a reply takes words (a paragraph, a note, a list item,
    a fact) and every text surface reads it unchanged; Block Kit looks at `pieces` and shows
    each Moment with Slack's date formatting, in the reader's own zone, and each Person as a
    mention. Joining it to other text with `+` or an f-string makes a plain str: build the
    whole sentence as one Prose.
    """

    pieces: tuple[Piece, ...]

    def __new__(cls, *pieces: Piece) -> Prose:
        flat: list[Piece] = []
        for piece in pieces:
            flat.extend(piece.pieces if isinstance(piece, Prose) else (piece,))
        self = super().__new__(cls, "".join(shown(p) for p in flat))
        self.pieces = tuple(flat)
        return self

    def __reduce__(self) -> tuple[type[Prose], tuple[Piece, ...]]:
        return (Prose, self.pieces)

    @staticmethod
    def joined(separator: str, items: Iterable[str]) -> Prose:
        """`separator.join(items)` that keeps the moments inside Prose items."""
        pieces: list[Piece] = []
        for n, item in enumerate(items):
            if n:
                pieces.append(separator)
            pieces.append(item)
        return Prose(*pieces)
