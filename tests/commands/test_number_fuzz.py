"""Fuzz the number grammar through the real front ends: the router every front end
dispatches to, and `capacity-bot ask` (the terminal path, with its exit codes). Whatever
is typed, the answer reads exactly the number the grammar reads, or refuses quoting it."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.config import Settings
from bot.domain.money import fmt_money, fmt_number
from bot.domain.numbers import NumberError, parse_number
from bot.shell import ask
from tests.conftest import answer

TYPED = st.one_of(
    st.text(
        alphabet=st.sampled_from([*"0123456789,.$kKmM+-%/mo_e", "²", "٣", "𝟚", "１", "，", "①"]),
        min_size=1,
        max_size=12,
    ),
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False).map(fmt_number),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
)


def _reads(text: str, **flags: bool) -> Decimal | None:
    try:
        return parse_number(text, **flags)
    except NumberError:
        return None


def _refused_quoting(shown: str, text: str) -> bool:
    return shown.startswith("Error") and f"`{text[:30]}" in shown


@settings(max_examples=300, deadline=None)
@given(TYPED)
@example("25,50")
@example("1,5k")
@example(",5")
@example("1,00")
@example("１，０００")
def test_cost_reads_what_the_grammar_reads_or_refuses(text: str) -> None:
    shown = answer(f"cost {text}")
    assert "Sorry, something went wrong" not in shown
    value = _reads(text)
    if value is None or value <= 0 or value != value.to_integral_value() or value > 10**12:
        assert shown.startswith("Error"), (text, shown)
        assert f"`{text[:30]}" in shown or "must be more than zero" in shown, (text, shown)
        return
    assert f"Cost for {fmt_number(value)} users" in shown, (text, shown)


@settings(max_examples=300, deadline=None)
@given(TYPED)
@example("25,50")
@example("$25.50/mo")
def test_breakeven_reads_what_the_grammar_reads_or_refuses(text: str) -> None:
    shown = answer(f"breakeven {text}")
    assert "Sorry, something went wrong" not in shown
    value = _reads(text, money=True)
    if value is None or value <= 0 or value > 10**12 or value < Decimal("0.001"):
        assert shown.startswith("Error"), (text, shown)
        return
    if -value.as_tuple().exponent > 6:  # type: ignore[operator]
        assert _refused_quoting(shown, text), (text, shown)
        return
    assert f"Break-even at {fmt_money(value)}/" in shown, (text, shown)


# `capacity-bot ask` itself: the same dispatch plus the exit code a script sees.


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["tier", "storage", "compute", "metric mau", "changes"]), TYPED)
@example("tier", "²")
@example("metric mau", "-5")
@example("changes", "٣")
def test_ask_exits_0_or_2_and_never_1_for_typed_numbers(command: str, text: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    # An in-memory store: `ask` opens CAPACITY_DB, and ":memory:" keeps the fuzz off disk.
    code = ask(f"{command} {text}", Settings(db_path=Path(":memory:")), out, err)
    assert code in (0, 2), (command, text, err.getvalue())
    assert "Sorry" not in err.getvalue() and "Traceback" not in err.getvalue()
    if code == 2:
        assert out.getvalue() == "" and err.getvalue().startswith("Error")
    else:
        assert re.search(r"\S", out.getvalue())


DIGIT_LIKE = st.characters(categories=["Nd", "Nl", "No"]).filter(
    lambda c: not c.isascii() and not 0xFF10 <= ord(c) <= 0xFF19
)
PLACES = [
    "tier {}",
    "targets {}",
    "changes {}",
    "changes delete {}",
    "scenario {}",
    "cost {}",
    "breakeven 2{}",
    "connections 5 {}",
    "storage 1{}0",
    "metric mau {}",
    "silence tier2.mau {}h",
    "changes since 2025-0{}-01",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PLACES), DIGIT_LIKE)
@example("tier {}", "²")
@example("changes delete {}", "٣")
@example("scenario {}", "𝟚")
def test_every_digit_like_character_is_refused_with_the_plain_form(place: str, char: str) -> None:
    shown = answer(place.format(char))
    assert shown.startswith("Error"), (place, char, shown)
    assert "Sorry, something went wrong" not in shown
    assert "in digits 0-9" in shown, (place, char, shown)
