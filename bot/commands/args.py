"""Reading numbers people type in commands, through the one grammar (bot/domain/numbers)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.commands.router import CommandError
from bot.domain.money import fmt_number
from bot.domain.numbers import NumberError, parse_number, parse_whole, shown

__all__ = [
    "extra_words",
    "parse_count",
    "parse_decimal",
    "parse_position",
    "parse_tier",
    "parse_users",
]

SMALLEST = Decimal("0.001")
LARGEST = Decimal(10) ** 12
PLACES = 6


def _refused(exc: NumberError, what: str, example: str, bound: str) -> CommandError:
    quoted = shown(exc.text)
    if exc.kind == "syntax" and exc.message.endswith("is not a number."):
        message = f"`{quoted}` is not a number; {what} is a number such as `{example.split()[-1]}`."
    elif exc.kind == "negative":
        message = f"{what.capitalize()} must be {bound}, not `{quoted}`."
    else:
        message = exc.message
    return CommandError(message, example)


def parse_decimal(
    text: str,
    what: str,
    example: str,
    *,
    allow_zero: bool = False,
    money: bool = False,
    signed: bool = False,
    percent: bool = False,
) -> Decimal:
    """`text` read by the number grammar, within what a capacity figure can be."""
    bound = "zero or more" if allow_zero else "more than zero"
    try:
        value = parse_number(text, signed=signed, money=money, percent=percent)
    except NumberError as exc:
        raise _refused(exc, what, example, bound) from None
    # Beyond a millionth nothing in a capacity plan is meaningful, and every figure derived
    # from the value stays a short, finite Decimal. Refused, not rounded: rounding would
    # answer for a number nobody typed.
    if -value.as_tuple().exponent > PLACES:  # type: ignore[operator]
        raise CommandError(
            f"`{shown(text)}` has more than {PLACES} decimal places; round it, e.g. "
            f"`{fmt_number(value.quantize(Decimal(1).scaleb(-PLACES)).normalize())}`.",
            example,
        )
    if abs(value) > LARGEST:
        raise CommandError(f"`{shown(text)}` is too large for {what}.", example)
    if signed:
        return value
    if value < 0 or (value == 0 and not allow_zero):
        raise CommandError(f"{what.capitalize()} must be {bound}, not `{shown(text)}`.", example)
    if 0 < value < SMALLEST:
        raise CommandError(
            f"`{shown(text)}` is too small for {what}; the smallest is {SMALLEST}.", example
        )
    return value


def parse_count(text: str, what: str, example: str) -> int:
    value = parse_decimal(text, what, example)
    if value != value.to_integral_value():
        raise CommandError(f"{what.capitalize()} is a whole number, not `{shown(text)}`.", example)
    return int(value)


_NUMBER_WORDS = frozenset(
    {
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "million",
    }
)


def parse_users(
    command: str, word: str, example: str, *, units: str = "users", unit: str = "user"
) -> int:
    """A count of `units` for `command`, with a hint to the right form for what people
    type instead: money (`$5000` is an amount, not a count), `per user` (that is the
    command without a number), a number in words (`five thousand`)."""
    bare_word = word.strip().lower()
    if bare_word[:1] in "$€£" or bare_word[-1:] in "$€£":
        count = f"{int(example.split()[-1]):,}"
        raise CommandError(
            f"`{shown(word)}` is an amount of money; `{command}` takes a number of {units}, "
            f"e.g. `{example}` for {count} {units}. For money per customer, "
            f"try `breakeven {bare_word.strip('$€£')}`.",
            example,
        )
    if bare_word == "per":
        raise CommandError(
            f"`{command}` on its own gives the cost per {unit} of every tier; add a number "
            f"of {units} for one count, e.g. `{example}`.",
            command,
        )
    if bare_word in _NUMBER_WORDS:
        raise CommandError(
            f"Write the number of {units} in digits: `{example}`, not `{shown(word)} ...`.",
            example,
        )
    return parse_count(word, f"the {unit} count", example)


def parse_position(text: str, example: str) -> int | None:
    """`text` as a position in a list (`scenario 2`), or None when it is not a number (a
    name, then). Digit-like characters (`²`) and misplaced commas (`1,00`) are refused
    with the plain form, not taken for a name that matches nothing."""
    try:
        return parse_whole(text, "number")
    except NumberError as exc:
        if exc.kind in ("digit", "ambiguous", "grouping"):
            raise CommandError(exc.message, example) from None
        return None


def parse_tier(text: str, tier_count: int, example: str) -> int:
    """0 (the baseline) to `tier_count`; `tier2` and `Tier 2` read as 2."""
    raw = text.strip().lower().removeprefix("tier")
    valid = ", ".join(str(n) for n in range(1, tier_count + 1))
    try:
        number = parse_whole(raw, "tier number")
    except NumberError as exc:
        if exc.kind == "digit":
            raise CommandError(exc.message, example) from None
        raise CommandError(
            f"`{shown(text)}` is not a tier number; write the tier as a number: 0 (the "
            f"baseline), {valid}.",
            example,
        ) from None
    if not 0 <= number <= tier_count:
        raise CommandError(
            f"There is no tier {number}: the plan has tiers {valid} (and the baseline, 0).",
            example,
        )
    return number


def extra_words(
    name: str, words: list[str], takes: str, example: str, *, after: str = ""
) -> CommandError:
    """The refusal for words a command does not take, naming them. `after` is the word
    before them: `1 000` (a space, or the thin space some locales group digits with, split
    it into two words) is answered as the number it was meant to be."""
    extra = " ".join(words)
    if re.fullmatch(r"[0-9]{1,3}", after) and all(re.fullmatch(r"[0-9]{3}", w) for w in words):
        digits = after + "".join(words)
        return CommandError(
            f"`{after} {extra}` has spaces in it; write {int(digits):,} or {digits}.", example
        )
    return CommandError(f"`{name}` takes {takes}; `{shown(extra, 40)}` is extra.", example)
