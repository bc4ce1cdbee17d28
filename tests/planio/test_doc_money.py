"""Amounts as teams write them: ranges, other currencies with a conversion, yearly amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.planio.doc_money import (
    Figure,
    amounts,
    figure,
    percent_figure,
    plan_currency,
    stated_figures,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "currency", "low", "high"),
    [
        ("$35-50/mo", "USD", 35, 50),
        ("+$10-25/mo, +30-70%", "USD", 10, 25),
        ("$90-120/mo total", "USD", 90, 120),
        ("$0-8/mo", "USD", 0, 8),
        # Another currency with the plan's figure beside it: that figure.
        ("€18/mo (~$20/mo)", "USD", 20, None),
        ("+$50/mo (~€46/mo)", "EUR", 46, None),
        # An alternative widens the amount to a range.
        ("+€8/mo (~$9) or $0", "USD", 0, 9),
        # A yearly amount with a monthly one: the monthly.
        ("~$24/year (~$2/mo)", "USD", 2, None),
        ("~£24/year (~£2/mo)", "GBP", 2, None),
        ("$120/year", "USD", 10, None),
        ("CHF 95/mo total", "CHF", 95, None),
        ("+CHF 40/mo", "CHF", 40, None),
        ("-$50/mo", "USD", -50, None),
        ("-$10-25/mo", "USD", -25, -10),
        ("$20K/mo", "USD", 20000, None),
        ("$2,315/mo", "USD", 2315, None),
    ],
)
def test_an_amount_is_read_in_the_plans_currency(
    text: str, currency: str, low: int, high: int | None
) -> None:
    assert figure(text, currency) == Figure(D(low), None if high is None else D(high))


def test_no_exchange_rate_is_invented() -> None:
    assert figure("€18/mo", "USD") is None
    assert figure("$29/mo", "EUR") is None


def test_a_total_line_states_from_total_change_and_percentage() -> None:
    stated = stated_figures("$90-120/mo → $154-199/mo (+$64-79/mo, +30-70%)")
    assert stated == {
        "from": (D(90), D(120)),
        "total": (D(154), D(199)),
        "change": (D(64), D(79)),
        "percent": (D(30), D(70)),
    }
    assert percent_figure("(+$1,900/mo, +458%)") == Figure(D(458), None)


def test_the_plan_currency_is_the_one_its_totals_use() -> None:
    lines = ["  - Sentry Team: $29/mo (~€27/mo)", "**Budget**: €210/mo total", "+$50/mo"]
    assert plan_currency(lines) == "EUR"
    assert plan_currency(["**Budget**: CHF 95/mo total"]) == "CHF"
    assert plan_currency(["no money here"]) == "USD"
    assert plan_currency(["| Droplet | 1GB | 4GB | +£28/mo |"]) == "GBP"


WORST = [
    "$" + "1" * 100_000,
    "$1," * 33_334,
    "+~$" * 33_334,
    "$1-" * 33_334,
    "$1-$" * 25_000,
    "CHF " * 25_000,
    "(" * 100_000 + "$1",
    "1" * 100_000,
    "1-" * 50_000,
    "1." * 50_000 + "%",
    "$1 or " * 16_667,
    "$1/ " * 25_000,
]


@pytest.mark.parametrize("text", WORST, ids=lambda t: repr(t[:8]))
def test_reading_amounts_is_linear_on_100k_characters(text: str) -> None:
    """Hang guard: each pattern is a run of single character classes around one required
    mark, so the worst texts read in one pass (a backtracking pattern would not end)."""
    assert len(text) >= 100_000
    found = amounts(text)
    figure(text, "USD")
    percent_figure(text)
    stated_figures(text)
    plan_currency([text])
    assert all(a.low <= a.high for a in found)
