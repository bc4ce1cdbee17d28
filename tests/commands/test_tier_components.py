"""`tier N` on a plan whose tiers list their costs (the `## Tiers` shape): each change shows
what the component costs before and after, the document's own amounts, carried through
an edit; the template's shape keeps the infrastructure it names."""

from __future__ import annotations

import re
from pathlib import Path

from bot.domain.plan import Plan
from bot.planio.planfile import default_plan, load_plan
from tests.conftest import answer

THOROUGH = Path(__file__).parents[1] / "data" / "plans" / "thorough-tiers.md"


def _row(text: str, component: str) -> list[str]:
    """The cells of the changes table's row for `component` (columns split on 2+ spaces)."""
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == component:
            return cells
    raise AssertionError(f"no row for {component!r} in:\n{text}")


def _with_cost(plan: Plan, tier: int, component: str, more: int) -> Plan:
    tiers = list(plan.tiers)
    changes = [
        c.model_copy(update={"cost_change": c.cost_change + more})
        if c.component == component
        else c
        for c in tiers[tier - 1].changes
    ]
    tiers[tier - 1] = tiers[tier - 1].model_copy(update={"changes": tuple(changes)})
    return plan.model_copy(update={"tiers": tuple(tiers)})


def test_each_change_shows_the_components_amounts_from_the_documents_lists() -> None:
    text = answer("tier 2", load_plan(THOROUGH))
    # Tier 1's list: "Observability: $120"; Tier 2's: "Observability (Datadog): $650".
    assert _row(text, "Observability (Datadog)")[1:] == ["$120/mo", "$650/mo", "+$530/mo"]
    assert _row(text, "ECS Fargate")[1:] == ["—", "$1,100/mo", "+$1,100/mo"]
    assert _row(text, "Web service")[1:] == ["$340/mo", "—", "-$340/mo"]


def test_an_edited_cost_moves_that_tier_and_every_later_one() -> None:
    edited = _with_cost(load_plan(THOROUGH), 1, "Observability", 7)
    assert _row(answer("tier 1", edited), "Observability")[1:] == ["—", "$127/mo", "+$127/mo"]
    assert _row(answer("tier 2", edited), "Observability (Datadog)")[1:3] == ["$127/mo", "$657/mo"]


def test_the_templates_changes_keep_the_infrastructure_they_name() -> None:
    text = answer("tier 2", default_plan())
    assert _row(text, "Cache")[1:3] == ["Dedicated Redis", "Redis cluster (3 nodes)"]
