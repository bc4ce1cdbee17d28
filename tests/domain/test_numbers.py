"""The number grammar: what it reads, what it refuses and how it says so, and two
properties: what the bot displays reads back as displayed, and no text reads as a value
with digits it does not contain."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.money import fmt_money, fmt_number, fmt_percent
from bot.domain.numbers import NumberError, parse_number, parse_whole, separate_words
from bot.domain.plan import Metric

ALL = {"signed": True, "money": True, "percent": True}


@pytest.mark.parametrize(
    ("text", "flags", "value"),
    [
        ("1000", {}, "1000"),
        ("1,000", {}, "1000"),
        ("12,345.5", {}, "12345.5"),
        ("1,234,567", {}, "1234567"),
        ("2.5", {}, "2.5"),
        (".5", {}, "0.5"),
        ("0", {}, "0"),
        ("10k", {}, "10000"),
        ("10K", {}, "10000"),
        ("1.5m", {}, "1500000"),
        ("2,500k", {}, "2500000"),
        ("$25", {"money": True}, "25"),
        ("$1,200/mo", {"money": True}, "1200"),
        ("25/month", {"money": True}, "25"),
        ("-25.50", {"signed": True}, "-25.50"),
        ("-$25.50", ALL, "-25.50"),
        ("$-25.50", ALL, "-25.50"),
        ("+$10/mo", ALL, "10"),
        ("−5", {"signed": True}, "-5"),  # the typographic minus (U+2212) pasted from a doc
        ("70%", {"percent": True}, "70"),
        ("１，０００", {}, "1000"),  # full-width digits and comma: a CJK keyboard
        ("  42  ", {}, "42"),
        ("\u00a042\u3000", {}, "42"),
    ],
)
def test_accepted_forms_read_exactly(text: str, flags: dict[str, bool], value: str) -> None:
    assert str(parse_number(text, **flags)) == value


@pytest.mark.parametrize(
    ("text", "flags", "message"),
    [
        ("25,50", {}, "`25,50` is ambiguous: write 25.50 or 2,550."),
        ("1,5k", {}, "`1,5k` is ambiguous: write 1.5k or 15k."),
        (",5", {}, "`,5` is ambiguous: write 0.5 or 5."),
        ("1,00", {}, "`1,00` is ambiguous: write 1.00 or 100."),
        ("-25,50", ALL, "`-25,50` is ambiguous: write -25.50 or -2,550."),
        ("$25,50/mo", ALL, "`$25,50/mo` is ambiguous: write $25.50/mo or $2,550/mo."),
        ("5,", {}, "`5,` ends in a comma; write `5`."),
        ("1234,567", {}, "commas go between groups of three digits. Write 1,234,567 or 1234567"),
        ("1,000,00", {}, "Write 100,000 or 100000"),
        ("0,500", {}, "comma out of place"),
        ("1.000,5", {}, "comma after the decimal point"),
        ("1 000", {}, "`1 000` has spaces in it; write 1,000 or 1000."),
        ("1e3", {}, "write it out, e.g. `1000` or `1k`"),
        ("1_000", {}, "`1_000` is not a number."),
        ("5.", {}, "`5.` is not a number."),
        ("k", {}, "`k` is not a number."),
        ("10kk", {}, "`10kk` is not a number."),
        ("inf", ALL, "`inf` is not a number."),
        ("NaN", ALL, "`NaN` is not a number."),
        ("--5", ALL, "`--5` has two signs."),
        ("-$-5", ALL, "two signs"),
        ("$25", {}, "`$25` is not an amount of money; write 25."),
        ("25/mo", {}, "not a monthly amount"),
        ("50%", {}, "`50%` is not a percentage"),
        ("-5", {}, "`-5` is below zero."),
        ("+5", {}, "`+5` needs no sign; write 5."),
        ("1" * 21, {}, "more digits than any figure"),
        ("", {}, "Give a number"),
    ],
)
def test_refused_forms_quote_the_text_and_say_what_works(
    text: str, flags: dict[str, bool], message: str
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_number(text, **flags)
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("²", "2"),  # superscript: str.isdigit() is True, int() refuses it
        ("①", "1"),  # circled
        ("٣", "3"),  # Arabic-Indic: int() would silently read it as 3
        ("۳", "3"),  # extended Arabic-Indic (Persian)
        ("𝟚", "2"),  # mathematical double-struck: int() would read it as 2
        ("३", "3"),  # Devanagari
        ("½", "0.5"),
        ("1²", "12"),
        ("٢٥", "25"),
    ],
)
def test_digits_other_than_ascii_and_full_width_are_refused_with_the_ascii_form(
    text: str, plain: str
) -> None:
    for read in (lambda t: parse_number(t, **ALL), parse_whole):
        with pytest.raises(NumberError) as refused:
            read(text)
        assert refused.value.kind == "digit"
        assert f"write `{plain}`" in refused.value.message


def test_whole_numbers_are_plain_digits() -> None:
    assert parse_whole("12") == 12
    assert parse_whole("#3") == 3
    assert parse_whole("１２") == 12
    assert parse_whole("1,234") == parse_whole("#1,234") == 1234
    for text in ("1.0", "1,00", ",5", "-1", "1k", "", "two"):
        with pytest.raises(NumberError):
            parse_whole(text)


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u3000", "\u2009", "\u202f", "\u200b"])
def test_every_unicode_space_separates_words(space: str) -> None:
    assert separate_words(f"tier{space}2").split(" ") == ["tier", "2"]


# -- properties ---------------------------------------------------------------------

amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False
)


@settings(max_examples=400, deadline=None)
@given(amounts)
@example(Decimal("0.40"))
@example(Decimal("-2550"))
@example(Decimal("0.0415"))
def test_what_the_bot_displays_reads_back_as_displayed(value: Decimal) -> None:
    number = fmt_number(value)
    assert parse_number(number, signed=True) == Decimal(number.replace(",", ""))
    for money in (fmt_money(value), fmt_money(value, sign=True), f"{fmt_money(value)}/mo"):
        shown = Decimal(re.sub(r"[$,+]|/mo", "", money))
        assert parse_number(money, **ALL) == shown, money
    percent = fmt_percent(value, sign=True)
    assert parse_number(percent, **ALL) == Decimal(percent.rstrip("%")), percent


def significant(digits: str) -> str:
    """The digits that carry the value: no leading or trailing zeros, no point."""
    return digits.replace(".", "").strip("0")


TYPED = st.text(
    alphabet=st.sampled_from([*"0123456789,.,.$kKmM+-%/mo ", "²", "٣", "𝟚", "１", "\u00a0"]),
    min_size=1,
    max_size=14,
)


@settings(max_examples=1500, deadline=None)
@given(TYPED)
@example("1,000.50")
@example("10k")
@example("１，０００")
def test_no_text_reads_as_a_value_with_digits_it_does_not_contain(text: str) -> None:
    try:
        value = parse_number(text, **ALL)
    except NumberError as refused:
        assert refused.message  # refused with words, never an exception of another kind
        return
    typed = "".join(c for c in text.translate({0xFF10 + i: 0x30 + i for i in range(10)}))
    typed_digits = "".join(c for c in typed if c in "0123456789")
    assert significant(typed_digits) == significant(format(abs(value), "f")), (text, value)


WELL_FORMED = st.builds(
    lambda whole, fraction, scale: (
        f"{whole:,}" + (f".{fraction}" if fraction else "") + scale,
        Decimal(f"{whole}.{fraction or '0'}") * {"": 1, "k": 1000, "M": 1_000_000}[scale],
    ),
    st.integers(min_value=0, max_value=10**9),
    st.one_of(st.none(), st.from_regex(r"[0-9]{1,4}", fullmatch=True)),
    st.sampled_from(["", "k", "M"]),
)


@settings(max_examples=300, deadline=None)
@given(WELL_FORMED)
def test_every_well_formed_number_reads_as_written(case: tuple[str, Decimal]) -> None:
    text, value = case
    assert parse_number(text) == value


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from(["%", "$"]),
)
def test_a_metric_value_as_shown_reads_back_as_shown(value: float, unit: str) -> None:
    metric = Metric(name="m", description="m", unit=unit, min=None, max=None)
    shown = metric.shown(value)
    try:
        read = parse_number(shown, **ALL)
    except NumberError as refused:
        assert refused.kind == "large", shown  # more digits than a figure: said, not misread
        return
    assert read == Decimal(re.sub(r"[$,%]", "", shown)), shown
