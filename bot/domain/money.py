"""Exact money and percentage arithmetic, and the way the template writes them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_CEILING, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

__all__ = [
    "CURRENCIES",
    "ROUNDING",
    "ceil_to_step",
    "currency_symbol",
    "fmt_money",
    "fmt_money_span",
    "fmt_number",
    "fmt_percent",
    "fmt_percent_span",
    "in_currency",
    "round_to",
]

# The currencies a plan may be kept in, by ISO code: the symbol written before an amount.
# A code without a sign of its own is written as itself and a space (`CHF 120`).
CURRENCIES: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "CHF": "CHF "}

# The plan's currency is the locale of every amount an answer writes: whoever answers from
# a plan (the router, the jobs, the export) sets it once, and every figure below it follows,
# as Babel's `format_currency` takes its locale. Unset, amounts are dollars.
_SYMBOL: ContextVar[str] = ContextVar("currency_symbol", default="$")


def currency_symbol() -> str:
    """The symbol amounts are written with here: `$`, `€`, `£`, `CHF `."""
    return _SYMBOL.get()


@contextmanager
def in_currency(code: str) -> Iterator[str]:
    """Amounts written inside are in `code` (`EUR` -> `€18`); an unknown code is written as
    itself (`SEK 120`) rather than passed off as dollars."""
    token = _SYMBOL.set(CURRENCIES.get(code, f"{code} "))
    try:
        yield _SYMBOL.get()
    finally:
        _SYMBOL.reset(token)


ROUNDING = {"half_up": ROUND_HALF_UP, "half_down": ROUND_HALF_DOWN, "half_even": ROUND_HALF_EVEN}


def round_to(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING[mode])


def ceil_to_step(value: Decimal, step: int) -> int:
    """Smallest multiple of `step` that is >= value: 19 -> 20, 83 -> 85 with step 5."""
    units = (value / step).to_integral_value(rounding=ROUND_CEILING)
    return int(units) * step


def fmt_number(value: Decimal | int | float) -> str:
    """`1000` -> `1,000`; `2.50` -> `2.5`; never scientific notation."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number.normalize():,f}"
    return text


def fmt_money(value: Decimal, *, sign: bool = False, symbol: str | None = None) -> str:
    """`$2,315`, `$0.0415`, `-$5`, `+$55` (with sign=True). Exact: no digits dropped.

    In the plan's currency (`in_currency`) unless `symbol` says otherwise: `€18`, `CHF 120`.
    """
    mark = currency_symbol() if symbol is None else symbol
    magnitude = abs(value)
    exponent = magnitude.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        body = fmt_number(magnitude)
    elif exponent == -1:
        body = f"{magnitude:,.2f}"  # $0.40, not $0.4
    else:
        body = f"{magnitude.normalize():,f}"
    if value < 0:
        return f"-{mark}{body}"
    return f"+{mark}{body}" if sign else f"{mark}{body}"


def fmt_percent(value: Decimal, mode: str = "half_up", *, sign: bool = False) -> str:
    whole = round_to(value, 0, mode)
    text = f"{int(whole)}%"
    return f"+{text}" if sign and whole >= 0 else text


def fmt_money_span(
    low: Decimal, high: Decimal, *, sign: bool = False, symbol: str | None = None
) -> str:
    """A range of money: `$35–50`, `+$10–25`; one figure when the bounds agree (`$40`).

    The symbol is written once, as people write a range; a range that crosses zero names
    both ends in full (`-$5 to +$10`)."""
    if low == high:
        return fmt_money(low, sign=sign, symbol=symbol)
    if low < 0:
        ends = (fmt_money(end, sign=True, symbol=symbol) for end in (low, high))
        return " to ".join(ends)
    return f"{fmt_money(low, sign=sign, symbol=symbol)}–{fmt_money(high, symbol='')}"


def fmt_percent_span(
    low: Decimal, high: Decimal, mode: str = "half_up", *, sign: bool = False
) -> str:
    """`+30–70%`, or one percentage when both bounds round alike."""
    first, last = fmt_percent(low, mode, sign=sign), fmt_percent(high, mode)
    if first.lstrip("+") == last:
        return first
    if low < 0:
        return f"{first} to {fmt_percent(high, mode, sign=True)}"
    return f"{first.removesuffix('%')}–{last}"
