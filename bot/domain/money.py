"""Exact money and percentage arithmetic, and the way the template writes them."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

__all__ = ["ROUNDING", "ceil_to_step", "fmt_money", "fmt_number", "fmt_percent", "round_to"]

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


def fmt_money(value: Decimal, *, sign: bool = False) -> str:
    """`$2,315`, `$0.0415`, `-$5`, `+$55` (with sign=True). Exact: no digits dropped."""
    magnitude = abs(value)
    exponent = magnitude.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        body = fmt_number(magnitude)
    elif exponent == -1:
        body = f"{magnitude:,.2f}"  # $0.40, not $0.4
    else:
        body = f"{magnitude.normalize():,f}"
    if value < 0:
        return f"-${body}"
    return f"+${body}" if sign else f"${body}"


def fmt_percent(value: Decimal, mode: str = "half_up", *, sign: bool = False) -> str:
    whole = round_to(value, 0, mode)
    text = f"{int(whole)}%"
    return f"+{text}" if sign and whole >= 0 else text
