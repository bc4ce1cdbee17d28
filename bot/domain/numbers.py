"""The one grammar for numbers people type, in every front end.

Accepted: ASCII (or full-width) digits with an optional decimal point; thousands
separators only between groups of three (`1,000`, `12,345.5`); `k` or `m` after a
well-formed number; a sign where the value may be negative; `$` before and `/mo` after
where money is meant; `%` after where a percentage is meant. Anything else is refused
with the text quoted back and a form that would work, because a guess (`25,50` read as
2,550) is a wrong answer that looks right.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

__all__ = [
    "MAX_DIGITS",
    "MAX_NUMBER_TEXT",
    "NumberError",
    "ascii_digits",
    "parse_number",
    "parse_whole",
    "separate_words",
    "shown",
]

# Far beyond any capacity figure, and below Decimal's 28-digit context, so scaling by
# `k`/`m` stays exact: every digit of the value is one the person typed.
MAX_DIGITS = 20
# Far longer than any figure anyone types (`-$1,000,000,000,000.50/month` is 28
# characters; a tiny value written out in full can run to a few hundred): refused before a
# pattern looks at it.
MAX_NUMBER_TEXT = 1000

_SCALE = {"k": 3, "m": 6}
# Full-width forms (a CJK keyboard's digits) and the typographic minus read as ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x2212: 0x2D}
# Characters Slack and pasted text put between words besides the Unicode spaces.
_INVISIBLE = {0x200B: " ", 0x2060: " ", 0xFEFF: " "}

_SHAPE = re.compile(
    # Each `\s*` follows the token it may trail, so spaces have one reading: optional
    # tokens with a `\s*` on both sides backtrack polynomially over a run of spaces.
    r"""(?P<pre>(?:(?P<sign1>[+-])\s*+)?(?:(?P<dollar>\$)\s*+)?(?:(?P<sign2>[+-])\s*+)?)
        (?P<body>[0-9,]*+(?:\.[0-9,]*+)?)
        (?P<post>(?P<scale>[kKmM])?(?:\s*+(?P<percent>%))?(?:\s*+(?P<per>/\s*+(?:mo|month)))?)""",
    re.X | re.I,
)
_WHOLE = re.compile(r"[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_FRACTION = re.compile(r"[0-9]+")
_SPACED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?")
_EXPONENT = re.compile(r"[+-]?\$?[0-9.]+e[+-]?[0-9]+", re.I)


class NumberError(ValueError):
    """Text that is not a number in this place. `message` quotes it back and says what
    would work; `kind` lets a caller word the common cases (`syntax`, `negative`) itself."""

    def __init__(self, text: str, message: str, kind: str = "syntax") -> None:
        super().__init__(message)
        self.text = text
        self.message = message
        self.kind = kind


def shown(text: str, limit: int = 30) -> str:
    """`text` as quoted back in a message: at most `limit` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def separate_words(text: str) -> str:
    """`text` with every Unicode space (no-break, em, ideographic...) as a plain space."""
    return "".join(" " if ch.isspace() else ch for ch in text.translate(_INVISIBLE))


def _digit_text(ch: str) -> str | None:
    """The ASCII form of a digit-like character other than 0-9 (`²` -> `2`, `½` -> `0.5`)."""
    value = unicodedata.numeric(ch, None)
    if value is None:
        return None
    return str(int(value)) if value == int(value) else repr(value)


def ascii_digits(text: str) -> str:
    """Full-width forms read as their ASCII selves (`１，０００` -> `1,000`); NumberError
    naming the ASCII form for any other digit-like character (`²`, `①`, `٣`, `𝟚`)."""
    mapped = text.translate(_FULL_WIDTH)
    if mapped.isascii():
        return mapped
    foreign = [ch for ch in mapped if not ch.isascii() and _digit_text(ch) is not None]
    if not foreign:
        return mapped
    fixed = "".join(_digit_text(ch) or ch if not ch.isascii() else ch for ch in mapped)
    odd = "".join(dict.fromkeys(foreign))[:5]
    what = f"`{odd}` is not a plain digit" if odd == text else f"`{shown(text)}` uses `{odd}`"
    raise NumberError(text, f"{what}; write `{shown(fixed)}` in digits 0-9.", "digit")


def _grouped(digits: str) -> str:
    whole, _, fraction = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    text = f"{int(whole):,}"
    return f"{text}.{fraction}" if fraction else text


def _separator_error(text: str, pre: str, body: str, post: str) -> NumberError:
    whole, point, fraction = body.partition(".")
    if "," in fraction:
        return NumberError(
            text,
            f"`{shown(text)}` has a comma after the decimal point; write the point as `.` "
            "and thousands as `,`, e.g. `1,000.5`.",
        )
    parts = whole.split(",")
    if len(parts) == 2 and len(parts[1]) != 3 and not point:
        head, tail = parts
        if not tail:
            return NumberError(
                text, f"`{shown(text)}` ends in a comma; write `{pre}{head}{post}`.", "ambiguous"
            )
        decimal = f"{pre}{head or '0'}.{tail}{post}"
        grouped = f"{pre}{_grouped(head + tail)}{post}"
        return NumberError(
            text,
            f"`{shown(text)}` is ambiguous: write {decimal} or {grouped}.",
            "ambiguous",
        )
    digits = "".join(parts) + (point + fraction)
    return NumberError(
        text,
        f"`{shown(text)}` has a comma out of place: commas go between groups of three "
        f"digits. Write {pre}{_grouped(digits)}{post} or {pre}{digits}{post}.",
        "grouping",
    )


def parse_number(
    text: str,
    *,
    signed: bool = False,
    money: bool = False,
    percent: bool = False,
    scale: bool = True,
) -> Decimal:
    """The exact value of `text`, or NumberError. `signed`: a leading `+`/`-` is allowed;
    `money`: `$` before and `/mo` after; `percent`: `%` after; `scale`: `k`/`m` after."""
    raw = text.strip()
    if len(raw) > MAX_NUMBER_TEXT:
        raise NumberError(
            text, f"`{shown(raw)}` is too long for a number ({len(raw):,} characters).", "large"
        )
    raw = ascii_digits(separate_words(raw).strip())
    if not raw:
        raise NumberError(text, "Give a number, e.g. `1,000`.", "empty")
    found = _SHAPE.fullmatch(raw) if raw.isascii() else None
    if found is None or not any(c.isdigit() for c in found["body"]):
        if _SPACED.fullmatch(raw):
            digits = raw.replace(" ", "")
            raise NumberError(
                text, f"`{shown(text)}` has spaces in it; write {_grouped(digits)} or {digits}."
            )
        if _EXPONENT.fullmatch(raw):
            raise NumberError(
                text, f"`{shown(text)}` is not a number I read; write it out, e.g. `1000` or `1k`."
            )
        raise NumberError(text, f"`{shown(text)}` is not a number.")
    pre, body, post = found["pre"], found["body"], found["post"]
    sign = found["sign1"] or found["sign2"]
    if found["sign1"] and found["sign2"]:
        raise NumberError(text, f"`{shown(text)}` has two signs.")
    whole, point, fraction = body.partition(".")
    if "," in body and not (_WHOLE.fullmatch(whole) and "," not in fraction):
        raise _separator_error(text, pre, body, post)
    if (whole and not _WHOLE.fullmatch(whole)) or (point and not _FRACTION.fullmatch(fraction)):
        raise NumberError(text, f"`{shown(text)}` is not a number.")
    digits = whole.replace(",", "") + fraction
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise NumberError(text, f"`{shown(text)}` has more digits than any figure here.", "large")
    plain = pre.replace("$", "").replace(" ", "")
    if found["dollar"] and not money:
        raise NumberError(
            text, f"`{shown(text)}` is not an amount of money; write {plain}{body}.", "money"
        )
    if found["per"] and not money:
        raise NumberError(text, f"`{shown(text)}` is not a monthly amount; leave out `/mo`.")
    if found["percent"] and not percent:
        raise NumberError(text, f"`{shown(text)}` is not a percentage; leave out `%`.", "percent")
    if found["scale"] and not scale:
        raise NumberError(
            text, f"`{shown(text)}` is a count; write it in full, without `k` or `m`.", "scale"
        )
    # As typed (`25.50` keeps its cents); `k`/`m` move the point, exactly.
    value = Decimal((whole.replace(",", "") or "0") + (point + fraction if fraction else ""))
    if found["scale"]:
        value = value.scaleb(_SCALE[found["scale"].lower()])
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            value = value.quantize(Decimal(1))
    if not value:
        return Decimal(0)
    if sign == "-":
        if not signed:
            raise NumberError(text, f"`{shown(text)}` is below zero.", "negative")
        value = -value
    elif sign == "+" and not signed:
        raise NumberError(text, f"`{shown(text)}` needs no sign; write {body}.", "sign")
    return value


def parse_whole(text: str, what: str = "number") -> int:
    """A whole number naming something (a tier, an entry): digits, grouped or not (`1,234`),
    `#3` allowed; no sign, point or `k`. NumberError naming `what` otherwise, with the
    grammar's own advice for a misplaced comma and the ASCII form for foreign digits."""
    raw = ascii_digits(separate_words(text).strip()).removeprefix("#")
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS:
        return int(raw)
    if raw.isascii() and raw[:1].isdigit() and set(raw) <= set("0123456789,"):
        value = parse_number(raw, scale=False)  # a misplaced comma: its own message
        return int(value)
    raise NumberError(text, f"`{shown(text)}` is not a {what}; write it in digits, e.g. `2`.")
