"""validate_change_fields: one message per bad field, a draft when all is well."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.changes import content_key, parse_cost, validate_change_fields
from bot.domain.plan import Plan

TODAY = date(2026, 11, 27)
GOOD = {"date": "2026-11-20", "change": "Added 2nd API container", "reason": "p95 over 1s"}


def test_a_good_entry_becomes_a_draft(plan: Plan) -> None:
    draft, errors = validate_change_fields(
        {**GOOD, "impact": "p95 400ms", "cost_change": "+$10/mo", "tier": "1"}, plan, TODAY
    )
    assert errors == {}
    assert draft is not None
    assert draft.cost_change == Decimal("10") and draft.tier == 1
    assert draft.date == date(2026, 11, 20)


def test_an_empty_date_means_today(plan: Plan) -> None:
    draft, _ = validate_change_fields({**GOOD, "date": ""}, plan, TODAY)
    assert draft is not None and draft.date == TODAY


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("date", "2028-01-01", "more than a year ahead"),
        ("date", "next tuesday", "YYYY-MM-DD"),
        ("change", "   ", "Say what changed"),
        ("change", "x" * 151, "150 characters"),
        ("reason", "", "Say why"),
        ("cost_change", "ten dollars", "not a monthly amount"),
        ("cost_change", "1e9999", "not a monthly amount"),
        ("tier", "9", "no tier"),
        ("tier", "-1", "no tier"),
        ("cost_change", "-25,50", "`-25,50` is ambiguous: write -25.50 or -2,550."),
        ("cost_change", "1,5k", "`1,5k` is ambiguous"),
        ("cost_change", "$1,00/mo", "`$1,00/mo` is ambiguous: write $1.00/mo or $100/mo."),
        ("cost_change", "1_000", "not a monthly amount"),
        ("cost_change", "٣", "write `3`"),
        ("tier", "²", "`²` is not a plain digit; write `2`"),
        ("tier", "٣", "write `3`"),
        ("date", "٢٠٢٦-١١-٢٠", "write `2026-11-20`"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    plan: Plan, field: str, value: str, words: str
) -> None:
    draft, errors = validate_change_fields({**GOOD, field: value}, plan, TODAY)
    assert draft is None
    assert list(errors) == [field]
    assert words in errors[field]


def test_a_date_exactly_a_year_ahead_is_allowed(plan: Plan) -> None:
    draft, _ = validate_change_fields({**GOOD, "date": "2027-11-27"}, plan, TODAY)
    assert draft is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10", "10"),
        ("-25.50", "-25.50"),
        ("+$10/mo", "10"),
        ("-$1,200", "-1200"),
        ("$0.5", "0.5"),
        ("-$2,550/mo", "-2550"),
        ("1.5k", "1500"),
        ("−25.50", "-25.50"),
        ("＋＄１０", "10"),
    ],
)
def test_costs_are_read_exactly(text: str, value: str) -> None:
    assert parse_cost(text) == Decimal(value)
    assert str(parse_cost(text)) == value


def test_baseline_is_tier_zero(plan: Plan) -> None:
    draft, _ = validate_change_fields({**GOOD, "tier": "baseline"}, plan, TODAY)
    assert draft is not None and draft.tier == 0


def test_content_key_depends_on_content_only(plan: Plan) -> None:
    one, _ = validate_change_fields(GOOD, plan, TODAY)
    two, _ = validate_change_fields(dict(GOOD), plan, TODAY)
    other, _ = validate_change_fields({**GOOD, "reason": "else"}, plan, TODAY)
    assert one and two and other
    assert content_key(one) == content_key(two) != content_key(other)
