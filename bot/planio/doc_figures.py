"""A figure in a team's line swapped for another, written the way the team wrote it.

`$1,250/mo` stays `$X,XXX/mo`, `2.5K` stays `N.NK`, `0.041` keeps its three decimals:
only the digits change, never the words, symbols or units around them.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

__all__ = ["Figure", "Pairs", "swap_figures"]

# A figure to write: one value, or a range (low, high) where the team wrote one figure and
# the plan's arithmetic now gives a range (`$115-145/mo`, written in the team's style).
Figure = Decimal | tuple[Decimal, Decimal]
Pairs = list[tuple[Decimal, Figure]]

# A numeral: digits with optional thousands commas, optional decimals, optional K. Each
# part is a run of one character class, so matching is linear in the line's length.
_NUMERAL = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([kK](?![a-zA-Z]))?")
_TIER = re.compile(r"(?:^|\W)tier\s?$", re.IGNORECASE)  # `Tier 2` names a tier: never a figure
_MONEY_BEFORE = ("$", "€", "£", "+", "-", "~", "F ")


def _value(match: re.Match[str]) -> Decimal:
    whole, decimals, kilo = match.groups()
    value = Decimal(whole.replace(",", "") + (decimals or ""))
    return value * 1000 if kilo else value


def _near(match: re.Match[str], value: Decimal) -> bool:
    """The numeral is `value` as the team wrote it: to its own decimals, rounded or cut
    (`$0.041` for 0.0415)."""
    decimals, kilo = match.group(2), match.group(3)
    quantum = Decimal(1).scaleb(-(len(decimals) - 1 if decimals else 0))
    written = _value(match) / 1000 if kilo else _value(match)
    value = value / 1000 if kilo else value
    return written in (
        value.quantize(quantum, rounding=ROUND_HALF_UP),
        value.quantize(quantum, rounding=ROUND_DOWN),
    )


def _written(like: re.Match[str], value: Decimal) -> str:
    """`value` in the numeral style of `like` (commas, decimals, K)."""
    whole, decimals, kilo = like.groups()
    if kilo:
        value = value / 1000
    places = len(decimals) - 1 if decimals else 0
    if not decimals and value != value.to_integral_value():
        places = 2  # a whole figure that becomes cents shows them
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):{',' if ',' in whole else ''}f}"
    return text + (kilo or "")


def _figure_text(like: re.Match[str], value: Figure) -> str:
    if isinstance(value, tuple):
        return f"{_written(like, value[0])}-{_written(like, value[1])}"
    return _written(like, value)


def swap_figures(line: str, pairs: Pairs) -> str:
    """`line` with each `old` figure (the first numeral of that value not yet taken,
    money-marked ones first) written as `new`, in the order of `pairs` (a pair whose
    figure stays takes its numeral too, so `$25 → $35-50 (+$10-25)` swaps the right 25);
    pairs whose old figure is absent are passed over."""
    numerals = list(_NUMERAL.finditer(line))
    taken: dict[int, str] = {}
    for old, new in pairs:
        fitting = [
            (index, m)
            for index, m in enumerate(numerals)
            if index not in taken
            and _near(m, old)
            and not _TIER.search(line[max(0, m.start() - 6) : m.start()])
        ]
        fitting.sort(
            key=lambda pair: (
                _value(pair[1]) != old,
                not line[: pair[1].start()].endswith(_MONEY_BEFORE),
            )
        )
        if fitting:
            index, match = fitting[0]
            taken[index] = match.group(0) if old == new else _figure_text(match, new)
    out, at = [], 0
    for index, match in enumerate(numerals):
        if index in taken and taken[index] != match.group(0):
            out += [line[at : match.start()], taken[index]]
            at = match.end()
    return "".join([*out, line[at:]])
