"""A figure the team gave as a range (`$35-50/mo`, `+$10-25/mo`): interval arithmetic.

A plain figure is a span whose bounds are equal, so every sum, difference and ratio is
computed one way and a plan without ranges gets its exact figures back. The bounds are
independent quantities: a difference or a ratio takes the far bounds (the lowest margin
is the lowest price against the highest cost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

__all__ = ["Span", "range_text", "span"]


@dataclass(frozen=True)
class Span:
    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if self.high < self.low:
            raise ValueError(f"a range runs from low to high, not {self.low} to {self.high}")

    @property
    def exact(self) -> bool:
        """One figure, not a range."""
        return self.low == self.high

    def __add__(self, other: Span | Decimal | int) -> Span:
        o = span(other)
        return Span(self.low + o.low, self.high + o.high)

    __radd__ = __add__

    def __sub__(self, other: Span | Decimal | int) -> Span:
        o = span(other)
        return Span(self.low - o.high, self.high - o.low)

    def times(self, factor: Decimal | int) -> Span:
        """Scaled by a figure that is not negative (a count, a multiple)."""
        return Span(self.low * factor, self.high * factor)

    def per(self, count: Decimal | int) -> Span:
        """Divided by a positive count: cost per user."""
        return Span(self.low / count, self.high / count)

    def over(self, other: Span) -> Span:
        """This span divided by a positive one: the smallest quotient takes the largest
        divisor (a percentage change, customers needed at a price range)."""
        quotients = [
            self.low / other.low,
            self.low / other.high,
            self.high / other.low,
            self.high / other.high,
        ]
        return Span(min(quotients), max(quotients))

    def ceiling(self) -> tuple[int, int]:
        """Both bounds rounded up to whole numbers: paying customers."""
        return (
            int(self.low.to_integral_value(rounding=ROUND_CEILING)),
            int(self.high.to_integral_value(rounding=ROUND_CEILING)),
        )

    def normalize(self) -> Span:
        return Span(self.low.normalize(), self.high.normalize())


def span(value: Span | Decimal | int, high: Decimal | None = None) -> Span:
    """`value` as a span; with `high`, the range from `value` to it."""
    if isinstance(value, Span):
        return value
    low = Decimal(value)
    return Span(low, low if high is None else Decimal(high))


# `35-50`, `+10–25`, `$35 - $50`, `35 to 50`: two plain figures and one separator. Each
# part is a run of one character class, so the match is linear in the text's length.
_RANGE = re.compile(
    r"\s*(?P<sign>[+-]?)\s*[$€£]?\s*(?P<low>\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*"
    r"[$€£]?\s*(?P<high>\d+(?:\.\d+)?)\s*"
)


def range_text(text: str) -> tuple[Decimal, Decimal] | None:
    """The bounds a range written in a plan file states (`"35-50"`, `"+10-25"`), or None."""
    found = _RANGE.fullmatch(text)
    if found is None:
        return None
    low, high = Decimal(found["low"]), Decimal(found["high"])
    if found["sign"] == "-":
        low, high = -high, -low
    return low, high
