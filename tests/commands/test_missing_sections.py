"""A plan without a section: the command that needs it says so and shows the lines to add;
every other answer is the one the full plan gives (issue 22, item 4)."""

from __future__ import annotations

import pytest

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.plan import Formulas, Plan
from bot.render.blocks import render_blocks
from store import Store
from tests.conftest import NOW, answer

UNAFFECTED = ("tiers", "tier 2", "cost", "cost 5000", "triggers", "tier 0")


def without(plan: Plan, **fields: object) -> Plan:
    return plan.model_copy(update=fields)


@pytest.mark.parametrize(
    ("command", "strip", "words", "line"),
    [
        ("compute 100", {"formulas": Formulas()}, "no compute formula", "- Efficiency factor: 0.7"),
        (
            "connections 5",
            {"formulas": Formulas()},
            "no database connections formula",
            "**Current**: 100 max connections",
        ),
        ("storage 1000", {"formulas": Formulas()}, "no storage formula", "- Avg file size: 2MB"),
        ("breakeven", {"pricing": None}, "no price", "**Pricing**: $25/mo per customer"),
        ("targets", {"targets": ()}, "no performance targets", "## Performance Targets"),
        ("scenario", {"scenarios": ()}, "no disaster scenarios", "## Disaster Scenarios"),
    ],
)
def test_the_command_that_needs_a_missing_section_shows_the_lines_to_add(
    plan: Plan, command: str, strip: dict[str, object], words: str, line: str
) -> None:
    shown = answer(command, without(plan, **strip))
    assert words in shown.splitlines()[0]
    assert line in shown
    assert "Error" not in shown


@pytest.mark.parametrize("command", UNAFFECTED)
def test_nothing_else_changes_when_sections_are_missing(plan: Plan, command: str) -> None:
    bare = without(plan, formulas=Formulas(), pricing=None, scenarios=())
    assert answer(command, bare) == answer(command, plan)


def test_breakeven_with_a_price_works_without_the_plans_pricing(plan: Plan) -> None:
    shown = answer("breakeven 25", without(plan, pricing=None))
    assert "Tier 1" in shown and "4 customers" in shown


def test_the_lines_to_add_fit_slack_as_monospace(plan: Plan) -> None:
    deps = Deps(Settings(), without(plan, pricing=None), lambda: NOW, Store(":memory:"))
    try:
        reply = build_router().dispatch("breakeven", deps.context(user_id="U1"))
    finally:
        deps.close()
    blocks = render_blocks(reply)
    code = [b for b in blocks if "```" in str(b.get("text", {}).get("text", ""))]
    assert code and "**Pricing**: $25/mo per customer" in code[0]["text"]["text"]
