"""Reading numbers people type: `1,000`, `$25`, `10k`, `2.5`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from bot.commands.router import CommandError

__all__ = ["parse_count", "parse_decimal", "parse_tier"]

_SUFFIX = {"k": Decimal(1000), "m": Decimal(1_000_000)}
SMALLEST = Decimal("0.001")


def parse_decimal(text: str, what: str, example: str, *, allow_zero: bool = False) -> Decimal:
    raw = text.strip().lower().replace(",", "").replace("_", "").lstrip("$")
    raw = raw.removesuffix("/mo")
    multiplier = Decimal(1)
    if raw and raw[-1] in _SUFFIX:
        multiplier, raw = _SUFFIX[raw[-1]], raw[:-1]
    shown = text if len(text) <= 30 else text[:30] + "…"
    try:
        value = Decimal(raw) * multiplier
    except InvalidOperation:
        raise CommandError(
            f"`{shown}` is not a number; {what} is a number such as `{example.split()[-1]}`.",
            example,
        ) from None
    except ArithmeticError:  # beyond Decimal's exponent range: 10e999999
        raise CommandError(f"`{shown}` is too large for {what}.", example) from None
    if not value.is_finite():
        raise CommandError(f"{what.capitalize()} must be a finite number, not `{shown}`.", example)
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise CommandError(f"{what.capitalize()} must be {bound}, not `{shown}`.", example)
    if value > Decimal(10) ** 12:
        raise CommandError(f"`{shown}` is too large for {what}.", example)
    if 0 < value < SMALLEST:
        raise CommandError(
            f"`{shown}` is too small for {what}; the smallest is {SMALLEST}.", example
        )
    # Beyond a millionth nothing in a capacity plan is meaningful; it also keeps every
    # figure derived from it a short, finite Decimal.
    return value.quantize(Decimal("0.000001")).normalize()


def parse_count(text: str, what: str, example: str) -> int:
    value = parse_decimal(text, what, example)
    if value != value.to_integral_value():
        raise CommandError(f"{what.capitalize()} is a whole number, not `{text}`.", example)
    return int(value)


def parse_tier(text: str, tier_count: int, example: str) -> int:
    shown = text if len(text) <= 30 else text[:30] + "…"
    raw = text.strip().lower().removeprefix("tier")
    valid = ", ".join(str(n) for n in range(1, tier_count + 1))
    if not raw.isdigit():
        raise CommandError(
            f"`{shown}` is not a tier number; write the tier as a number: {valid}.", example
        )
    number = int(raw)
    if not 1 <= number <= tier_count:
        raise CommandError(
            f"There is no tier {number}: the plan has tiers {valid} (and the baseline, 0).",
            example,
        )
    return number
