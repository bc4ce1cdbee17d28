"""What people type, through the router every front end uses: numbers in the one grammar,
Unicode spaces and digits, tier 0, and words a command does not take."""

from __future__ import annotations

import pytest

from bot.commands import build_router
from bot.domain.plan import Plan
from tests.conftest import answer, squash

APOLOGY = "Sorry, something went wrong"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("breakeven 25,50", "`25,50` is ambiguous: write 25.50 or 2,550."),
        ("breakeven $25,50", "`$25,50` is ambiguous: write $25.50 or $2,550."),
        ("cost 1,5k", "`1,5k` is ambiguous: write 1.5k or 15k."),
        ("cost ,5", "`,5` is ambiguous: write 0.5 or 5."),
        ("cost 1,00", "`1,00` is ambiguous: write 1.00 or 100."),
        ("cost 1234,567", "commas go between groups of three digits"),
        ("cost $5000", "`$5000` is an amount of money; `cost` takes a number of users"),
        ("storage 1_000", "`1_000` is not a number"),
        ("compute 1e3", "write it out"),
        ("connections 5 3%", "`3%` is not a percentage"),
        ("metric mau 1,5k", "`1,5k` is ambiguous"),
        ("metric mau 70%", "`70%` is not a percentage"),
        ("metric cpu_pct $70", "`$70` is not an amount of money"),
        # Digits grouped with a space or a thin space (U+202F) arrive as separate words.
        ("cost 1 000", "`1 000` has spaces in it; write 1,000 or 1000."),
        ("storage 1\u202f000\u202f000", "`1 000 000` has spaces in it; write 1,000,000"),
        ("metric mau 8 412", "`8 412` has spaces in it; write 8,412 or 8412."),
    ],
)
def test_a_number_that_could_be_misread_is_refused_with_what_would_work(
    text: str, message: str
) -> None:
    shown = squash(answer(text))
    assert shown.startswith("Error"), shown
    assert message in shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("breakeven 25.50", "Break-even at $25.50/mo"),
        ("breakeven $2,550", "Break-even at $2,550/mo"),
        ("cost 1,000", "Cost for 1,000 users"),
        ("cost 12,345", "Cost for 12,345 users"),
        ("cost 1.5k", "Cost for 1,500 users"),
        ("cost 15K", "Cost for 15,000 users"),
        ("compute 12,345.5", "Compute for 12,345.5 req/sec"),
        ("metric cost_usd $1,200/mo", "Recorded cost_usd = $1,200"),
        ("metric cpu_pct 70%", "Recorded cpu_pct = 70%"),
        ("cost １，０００", "Cost for 1,000 users"),
    ],
)
def test_well_formed_numbers_read_as_written(text: str, expected: str) -> None:
    shown = squash(answer(text))
    assert expected in shown, shown


SPACES = ["\u00a0", "\u2003", "\u3000", "\u2009", "\u202f", "\u2007", "\u200b", "\t"]


@pytest.mark.parametrize("space", SPACES)
def test_any_unicode_space_separates_words(space: str) -> None:
    assert answer(f"tier{space}2") == answer("tier 2")
    assert answer(f"connections{space}5{space}3") == answer("connections 5 3")


FOREIGN = [("²", "2"), ("①", "1"), ("٣", "3"), ("𝟚", "2"), ("۲", "2")]
PLACES = [
    "tier {}",
    "targets {}",
    "changes {}",
    "changes 5 offset {}",
    "changes delete {}",
    "changes restore {}",
    "changes since 2025-09-0{}",
    "scenario {}",
    "cost {}",
    "breakeven {}",
    "compute {}",
    "connections {}",
    "connections 5 {}",
    "storage {}",
    "metric mau {}",
    "silence tier2.mau {}h",
    "built {}",
]


@pytest.mark.parametrize(("digit", "plain"), FOREIGN)
@pytest.mark.parametrize("place", PLACES)
def test_digit_like_characters_are_refused_the_same_way_everywhere(
    place: str, digit: str, plain: str
) -> None:
    shown = squash(answer(place.format(digit)))
    assert shown.startswith("Error"), shown
    assert APOLOGY not in shown
    assert f"`{digit}`" in shown and f"write `{place.format(plain).split()[-1]}`" in shown, shown


def test_entry_numbers_follow_the_grammar_too() -> None:
    assert "There is no live entry #1234" in answer("changes delete 1,234")
    assert "`1,00` is ambiguous" in answer("changes delete 1,00")
    assert "There is no live entry #7" in answer("changes delete #7")


def test_full_width_digits_read_as_digits() -> None:
    assert answer("tier ２") == answer("tier 2")
    assert answer("scenario １") == answer("scenario 1")
    assert answer("targets ０") == answer("targets 0")


def test_tier_zero_is_the_baseline(plan: Plan) -> None:
    shown = squash(answer("tier 0"))
    assert not shown.startswith("Error"), shown
    assert "Tier 0 (MVP Baseline)" in shown
    assert "Monthly budget: $40/mo" in shown
    assert "100 active users" in shown and "~10,000/day" in shown
    for item in plan.baseline.line_items:
        assert item.name in shown
    for constraint in plan.baseline.constraints:
        assert constraint in shown
    assert "Railway $30/mo" in shown
    assert answer("tier tier0") == answer("tier 0")


def test_targets_and_tier_agree_that_zero_is_the_baseline() -> None:
    assert "Tier 0 (MVP Baseline)" in answer("targets 0")
    assert "(and the baseline, 0)" in answer("tier 4")


def test_a_non_number_after_tier_says_what_was_wrong() -> None:
    shown = squash(answer("tier 2 🚀"))
    assert "`🚀` is extra" in shown and "Say which tier" not in shown
    assert "`🚀` is not a tier number" in squash(answer("tier 🚀"))


# A working invocation of every command; a junk word after it must be named in the answer.
# Commands that read free text (log, changes search, scenario by title) show it back.
JUNK = ["zzjunk", "ünïcødé🚀", "日本語"]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("name", [c.name for c in build_router().commands])
def test_every_command_names_a_word_it_does_not_take(name: str, junk: str) -> None:
    command = build_router().find(name)
    assert command is not None
    invocations = {command.example, command.name}
    if name == "changes":
        invocations |= {
            "changes export",
            "changes since 2025-09-01",
            "changes delete 1",
            "changes 5",
        }
    for invocation in invocations:
        shown = answer(f"{invocation} {junk}")
        assert junk in shown, (invocation, shown)
        assert APOLOGY not in shown


def test_changes_export_refuses_extra_words_like_tiers() -> None:
    export = squash(answer("changes export extra"))
    tiers = squash(answer("tiers extra"))
    assert export.startswith("Error") and tiers.startswith("Error")
    assert "`changes export` takes nothing after it; `extra` is extra." in export
    assert "`tiers` takes nothing after it; `extra` is extra." in tiers
