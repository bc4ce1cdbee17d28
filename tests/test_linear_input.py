"""Every reader of input runs in linear time: each is fed 100,000 characters of the input
that is worst for its patterns (long runs of spaces, digits, separators and markup), under
the per-test hang guard. A reader may refuse the input; it may not take minutes over it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from bot.domain.changes import parse_cost, parse_day
from bot.domain.numbers import MAX_NUMBER_TEXT, NumberError, parse_number, parse_whole
from bot.domain.rule_text import RuleContext, parse_rule_text
from bot.domain.rules import MetricRule, parse_duration
from bot.planio.changelog import parse_csv, parse_markdown_table
from bot.planio.document import import_document
from bot.planio.errors import PlanError
from bot.planio.mdblocks import money, number, parse_sections
from bot.planio.planfile import default_plan, parse_plan
from tests.conftest import answer

N = 100_000
# The runs that make backtracking patterns super-linear, each with a tail that fails the
# match at the very end (so every start position is tried).
RUNS = (
    " ",
    "\t",
    "1",
    "1,",
    "1.",
    "1 ",
    " 1",
    "$1",
    "$ ",
    "**",
    "*",
    "#",
    "# ",
    "- ",
    "(",
    "|",
    "| ",
    "k",
    "1k ",
    ":",
    "e",
    "1e",
    "a ",
    "for ",
    "> 1 ",
)
TAILS = ("", "x", "!\n")


def worst(prefix: str = "", suffix: str = "") -> list[str]:
    return [
        prefix + (run * (N // len(run) + 1))[:N] + tail + suffix for run in RUNS for tail in TAILS
    ]


def survives(read: Callable[[str], object], texts: list[str]) -> None:
    for text in texts:
        # Refused is fine: it ended.
        with contextlib.suppress(NumberError, ValueError, ValidationError, PlanError, LookupError):
            read(text)


CONTEXT = RuleContext.build([(m.name, m.unit, m.description) for m in default_plan().metrics])

READERS: dict[str, tuple[Callable[[str], object], list[str]]] = {
    "number grammar": (lambda t: parse_number(t, signed=True, money=True, percent=True), worst()),
    "number grammar, money": (lambda t: parse_number(t, money=True), worst("$")),
    "whole numbers": (parse_whole, worst("#")),
    "durations": (parse_duration, worst("1")),
    "rule text": (lambda t: parse_rule_text(t, CONTEXT), worst("MAU > ") + worst("", " for 1h")),
    "rule as text in a plan": (
        MetricRule.model_validate,
        worst("cpu_pct > 70 for ") + worst("cpu_pct > ") + worst("cpu_pct"),
    ),
    "cost cell": (parse_cost, worst()),
    "dates": (parse_day, worst()),
    "document numbers": (number, worst()),
    "document money": (money, worst()),
    "document sections": (parse_sections, worst() + worst("# ") + worst("**Budget**: ")),
    "document import": (
        import_document,
        worst("# Capacity Planning\n\n## Current Scale\n\n**Users**: "),
    ),
    "change-log table": (
        parse_markdown_table,
        worst("| Date | Change | Reason | Impact |\n|---|---|---|---|\n| "),
    ),
    "change-log CSV": (parse_csv, worst("date,change,reason,impact\n2026-01-01,")),
    "YAML plan": (parse_plan, worst("metrics: ")),
    "number grammar under its cap": (
        lambda t: parse_number(t[: MAX_NUMBER_TEXT - 2], signed=True, money=True, percent=True),
        worst("$") + worst("-$") + worst("1k") + worst("1%"),
    ),
    "rule text after a number": (lambda t: parse_rule_text(t, CONTEXT), worst("MAU > 1")),
    "labels and items": (
        parse_sections,
        worst("**Budget**") + worst("- **Item** (") + worst("## Tier 1"),
    ),
    "slash command text": (answer, worst("tier ") + worst("cost ") + worst("whatif users ")),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(READERS))
def test_each_reader_ends_on_its_worst_input(name: str) -> None:
    read, texts = READERS[name]
    survives(read, texts)
