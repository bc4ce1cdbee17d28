"""Whatever a person types after a command, the answer is an answer or a clear error:
never the catch-all apology (which would mean a bug of ours reached them)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import answer

NUMERIC = ["tier", "cost", "breakeven", "compute", "connections", "storage", "targets"]

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-999, 999), st.integers(-(10**6), 10**6)),
    st.text(alphabet="0123456789.,$kKmM-+eE_ ", min_size=1, max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NUMERIC), numbers, st.one_of(st.none(), numbers))
@example("cost", "10E999999", None)  # past Decimal's exponent range: found by this test
@example("breakeven", "1e-999999", None)  # overflowed the break-even division
def test_numeric_arguments_never_reach_the_catch_all(
    command: str, first: str, second: str | None
) -> None:
    text = f"{command} {first}" + (f" {second}" if second else "")
    shown = answer(text)
    assert "Sorry, something went wrong" not in shown, text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_reaches_the_catch_all(text: str) -> None:
    assert "Sorry, something went wrong" not in answer(text)
