"""Amounts as teams write them: `$35-50/mo`, `€18/mo (~$20/mo)`, `CHF 95`, `~£24/year
(~£2/mo)`, `+€8/mo (~$9) or $0`.

A plan has one currency, the one its totals use. An amount in another currency counts
through the converted figure written beside it; a yearly amount through the monthly one
beside it (else a twelfth of it). No exchange rate is ever invented: an amount in another
currency with no converted figure is not read.

Every pattern here is a sequence of single character classes whose runs are possessive (no
backtracking into them) around one required mark, so scanning is linear in the text's length.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "Amount",
    "Figure",
    "amounts",
    "document_currency",
    "figure",
    "money_fields",
    "percent_figure",
    "plan_currency",
    "reading_currency",
    "stated_figures",
]

# The currency of the document being read: every section's reader takes its amounts in it.
_READING: ContextVar[str] = ContextVar("document_currency", default="USD")


def document_currency() -> str:
    return _READING.get()


@contextmanager
def reading_currency(code: str) -> Iterator[None]:
    token = _READING.set(code)
    try:
        yield
    finally:
        _READING.reset(token)


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_NUMBER = r"\d[\d,]*+(?:\.\d++)?+"
_TOKEN = re.compile(
    r"(?P<sign>[+\-−]?)[ ]?~?[ ]?(?:(?P<sym>[$€£])|(?P<code>\b(?:CHF|EUR|USD|GBP))[ ]?)[ ]?"
    rf"(?P<n1>{_NUMBER})(?P<k1>[kKmM](?![a-zA-Z]))?"
    rf"(?:[ ]?[-–][ ]?(?:[$€£]|CHF[ ]?)?(?P<n2>{_NUMBER})(?P<k2>[kKmM](?![a-zA-Z]))?)?"
    r"(?P<per>[ ]?/[ ]?(?:mo|month|yr|year|annum)\b|[ ](?:per|a)[ ](?:month|year)\b)?"
)
# Possessive runs and a start that no digit precedes: one pass over a run of digits.
_PERCENT = re.compile(
    r"(?P<sign>[+\-−]?)(?<![\d.])(?P<n1>\d++(?:\.\d++)?+)"
    r"(?:[ ]?[-–][ ]?(?P<n2>\d++(?:\.\d++)?+))?%"
)


@dataclass(frozen=True)
class Amount:
    """One amount as written: bounds, currency, whether it is yearly, where it stands."""

    low: Decimal
    high: Decimal
    currency: str
    yearly: bool
    start: int
    in_parens: bool
    after_or: bool  # `... or $0`: an alternative to the amount before it


@dataclass(frozen=True)
class Figure:
    """The monthly amount in the plan's currency a text states; `high` for a range."""

    low: Decimal
    high: Decimal | None

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        return self.low, self.high if self.high is not None else self.low


def _decimal(digits: str, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None
    return value * {"k": 1000, "m": 1_000_000}.get((scale or "").lower(), 1)


def _depths(text: str) -> list[int]:
    """How many parentheses are open before each character."""
    depth, out = 0, []
    for ch in text:
        out.append(depth)
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
    return out


def amounts(text: str) -> list[Amount]:
    """Every amount of money in `text`, in order."""
    depth = _depths(text)
    found = []
    for match in _TOKEN.finditer(text):
        low = _decimal(match["n1"], match["k1"])
        high = _decimal(match["n2"], match["k2"]) if match["n2"] else low
        if low is None or high is None or high < low:
            continue
        if match["sign"] in ("-", "−"):
            low, high = -high, -low
        currency = _SYMBOLS[match["sym"]] if match["sym"] else str(match["code"])
        per = (match["per"] or "").lower()
        start = match.start("sym") if match["sym"] else match.start("code")
        before = text[max(0, match.start() - 4) : match.start()].lower()
        found.append(
            Amount(
                low,
                high,
                currency,
                "y" in per or "annum" in per,
                start,
                depth[start] > 0,
                before.rstrip().endswith("or"),
            )
        )
    return found


def figure(text: str, currency: str) -> Figure | None:
    """The monthly amount in `currency` that `text` states: its first amount, through the
    converted or monthly figure beside it; an alternative (`or $0`) widens it to a range."""
    found = amounts(text)
    if not found:
        return None
    main = next((a for a in found if not a.in_parens), found[0])
    beside = [a for a in found if a.in_parens and a.start > main.start]
    chosen = main
    if main.currency != currency:
        converted = next((a for a in beside if a.currency == currency), None)
        if converted is None:
            return None
        chosen = converted
    if chosen.yearly:
        monthly = next(
            (a for a in beside if a.currency == currency and not a.yearly and a is not chosen),
            None,
        )
        chosen = monthly or Amount(
            chosen.low / 12, chosen.high / 12, currency, False, chosen.start, False, False
        )
    low, high = chosen.low, chosen.high
    # A conversion written without its sign carries the sign of what it converts.
    if main.low < 0 <= low and chosen is not main:
        low, high = -high, -low
    for other in found:
        if other.after_or and not other.in_parens and other.currency == currency:
            low, high = min(low, other.low), max(high, other.high)
    return Figure(low, high if high != low else None)


def percent_figure(text: str) -> Figure | None:
    """The first percentage in `text` with its sign: `+124%`, `+30-70%`."""
    found = _PERCENT.search(text)
    if found is None:
        return None
    low = Decimal(found["n1"])
    high = Decimal(found["n2"]) if found["n2"] else low
    if found["sign"] in ("-", "−"):
        low, high = -high, -low
    return Figure(low, high if high != low else None)


def plan_currency(lines: list[str]) -> str:
    """The currency the totals use: the first budget or total line's amount, else the
    currency most amounts are in; dollars when there are none."""
    for line in lines:
        if re.match(r"\s*\*\*(?:budget|total)", line, re.IGNORECASE):
            found = [a for a in amounts(line) if not a.in_parens]
            if found:
                return found[0].currency
    counted = Counter(a.currency for line in lines for a in amounts(line) if not a.in_parens)
    return counted.most_common(1)[0][0] if counted else "USD"


def money_fields(text: str, key: str) -> dict[str, Decimal] | None:
    """`{key: low}`, with `{key}_high` for a range, in the document's currency; None when
    `text` states no amount in it."""
    found = figure(text, document_currency())
    if found is None:
        return None
    fields = {key: found.low}
    if found.high is not None:
        fields[f"{key}_high"] = found.high
    return fields


def stated_figures(text: str) -> dict[str, tuple[Decimal, Decimal]]:
    """A total line's figures: `$90-120/mo → $154-199/mo (+$64-79/mo, +30-70%)` states the
    total (the second amount outside parentheses), the change (a signed amount inside) and
    the percentage."""
    currency = document_currency()
    found = [a for a in amounts(text) if a.currency == currency]
    outside = [a for a in found if not a.in_parens]
    inside = [a for a in found if a.in_parens]
    stated: dict[str, tuple[Decimal, Decimal]] = {}
    if len(outside) >= 2:
        stated["from"] = (outside[0].low, outside[0].high)
        stated["total"] = (outside[1].low, outside[1].high)
    change = text[inside[0].start - 1 : inside[0].start] if inside else ""
    if inside and change in "+-−":
        stated["change"] = (inside[0].low, inside[0].high)
    opened = text.find("(")
    percent = percent_figure(text[opened:]) if opened >= 0 else None
    if percent is not None:
        stated["percent"] = percent.bounds
    return stated
