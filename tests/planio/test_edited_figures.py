"""An edited figure goes back on the team's own line, not into the appendix (issue 23).

Each figure a team can edit (a component's cost, a baseline item, the budget, the price, a
tier's count) is edited in turn, as the plan model takes an edit, for the worked example
and every corpus document: where the document has the figure's line, the export rewrites
that line in the team's words and the appendix does not gain the figure; the plan round
trips exactly either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.plan import Plan
from bot.planio.doc_money import amounts, reading_currency
from bot.planio.doc_verbatim import BOT_APPENDIX, export_plan_document, recomputed_lines
from bot.planio.doc_write import Live
from bot.planio.document import import_document, read_body

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = sorted(p for p in (DATA / "plans").glob("*.md") if p.name != "README.md")
DOCUMENTS = [DATA / "capacity-planning-template.md", *CORPUS]
IDS = [p.name for p in DOCUMENTS]


def appendix(export: str) -> dict[str, Any]:
    """The export's appendix patch ({} when it wrote none)."""
    if BOT_APPENDIX not in export:
        return {}
    block = export.split(BOT_APPENDIX, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = yaml.safe_load(block)
    return loaded if isinstance(loaded, dict) else {}


def holds(patch: dict[str, Any], path: tuple[Any, ...], field: str) -> bool:
    """Whether the patch sets `field` (or its `_high`) at `path`."""
    node: Any = patch
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return isinstance(node, dict) and bool({field, f"{field}_high"} & set(node))


def _up(value: Decimal | None, by: Decimal) -> Decimal | None:
    return None if value is None else value + by


Edit = tuple[str, tuple[Any, ...], str, Plan]  # line key, patch path, field, edited plan


def edits(plan: Plan) -> Iterator[Edit]:
    """Every editable figure of `plan`, edited: money up by 7, a tier's count up 10%."""
    base = plan.baseline
    seven = Decimal(7)
    for k, item in enumerate(base.line_items):
        moved = item.model_copy(
            update={"cost": item.cost + seven, "cost_high": _up(item.cost_high, seven)}
        )
        items = tuple(moved if i == k else x for i, x in enumerate(base.line_items))
        yield (
            f"baseline.line_items[{k}]",
            ("baseline", "line_items", k),
            "cost",
            plan.model_copy(update={"baseline": base.model_copy(update={"line_items": items})}),
        )
    budget = {"budget": base.budget + seven, "budget_high": _up(base.budget_high, seven)}
    yield (
        "baseline.budget",
        ("baseline",),
        "budget",
        plan.model_copy(update={"baseline": base.model_copy(update=budget)}),
    )
    if plan.pricing is not None:
        price = plan.pricing
        cheaper = {"price": price.price + 1, "price_high": _up(price.price_high, Decimal(1))}
        yield (
            "pricing",
            ("pricing",),
            "price",
            plan.model_copy(update={"pricing": price.model_copy(update=cheaper)}),
        )
    yield (
        "baseline.users",
        ("baseline",),
        "users",
        plan.model_copy(update={"baseline": base.model_copy(update={"users": base.users + 1})}),
    )
    for n, tier in enumerate(plan.tiers):
        tiers = list(plan.tiers)
        tiers[n] = tier.model_copy(update={"users": tier.users + tier.users // 10})
        yield f"tiers[{n}]", ("tiers", n), "users", plan.model_copy(update={"tiers": tuple(tiers)})
        for j, change in enumerate(tier.changes):
            moved = change.model_copy(
                update={
                    "cost_change": change.cost_change + seven,
                    "cost_change_high": _up(change.cost_change_high, seven),
                }
            )
            tiers = list(plan.tiers)
            changes = tuple(moved if i == j else c for i, c in enumerate(tier.changes))
            tiers[n] = tier.model_copy(update={"changes": changes})
            yield (
                f"tiers[{n}].changes[{j}]",
                ("tiers", n, "changes", j),
                "cost_change",
                plan.model_copy(update={"tiers": tuple(tiers)}),
            )


def its_line(
    key: str, field: str, lines: dict[str, int], text: list[str], currency: str
) -> int | None:
    """The document line that states the figure once, if the document has one: a change
    of a `## Tiers` cost list is the component's line in its tier (`.new`), a count is the
    tier's heading (`### Tier 0: Seed (50 teams)`); a figure written twice (`$29/mo
    (~€27/mo)`) has no one line to carry an edit. The template's `**Users**:` line is
    kept whole as the team's note (tier 0 shows it as written): no figure line."""
    at = lines.get(f"{key}.new") or lines.get(key)
    if not at:
        return None
    written = text[at - 1]
    if field == "users":
        return at
    with reading_currency(currency):
        return at if len(amounts(written)) == 1 else None


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_an_edited_figure_goes_on_its_own_line_not_into_the_appendix(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    plan = import_document(source).plan
    _data, reader, _ = read_body(source)
    text = source.splitlines()
    checked = 0
    for key, where, field, edit in edits(plan):
        export = export_plan_document(edit, Live(), source)
        assert import_document(export).plan == edit, key
        at = its_line(key, field, reader.lines, text, plan.currency)
        if at is None:
            continue
        checked += 1
        assert not holds(appendix(export), where, field), (key, appendix(export))
        changed = recomputed_lines(source, edit)
        assert at in changed, (key, text[at - 1])
        before, after = changed[at]
        assert re.sub(r"\d[\d,.]*", "#", before) == re.sub(r"\d[\d,.]*", "#", after)
    assert checked >= 3, "every document has cost lines of its own"


def _cost_edited(plan: Plan, tier: int, index: int, more: int) -> Plan:
    change = plan.tiers[tier].changes[index]
    moved = change.model_copy(update={"cost_change": change.cost_change + more})
    changes = tuple(moved if i == index else c for i, c in enumerate(plan.tiers[tier].changes))
    tiers = list(plan.tiers)
    tiers[tier] = tiers[tier].model_copy(update={"changes": changes})
    return plan.model_copy(update={"tiers": tuple(tiers)})


def test_a_tiers_cost_list_takes_the_edit_on_the_components_own_lines() -> None:
    """Tier 1's Observability +$120 -> +$127/mo: its bullet in Tier 1, the bullets that
    carry it on in Tiers 2 and 3 (each tier's list states what the component costs
    there), the totals and the break-even lines; nothing in an appendix."""
    source = (DATA / "plans" / "thorough-tiers.md").read_text(encoding="utf-8")
    plan = _cost_edited(import_document(source).plan, 0, 4, 7)
    assert plan.tiers[0].changes[4].component == "Observability"
    changed = {before: after for before, after in recomputed_lines(source, plan).values()}
    assert changed == {
        "- Observability: $120": "- Observability: $127",
        "- **Total**: $1,150/month": "- **Total**: $1,157/month",
        "- Observability (Datadog): $650": "- Observability (Datadog): $657",
        "- **Total**: $3,900/month": "- **Total**: $3,907/month",
        "- Observability: $1,300": "- Observability: $1,307",
        "- **Total**: $9,800/month": "- **Total**: $9,807/month",
        "- Tier 1 ($1,150/mo cost): 24 paying teams": "- Tier 1 ($1,157/mo cost): 24 paying teams",
        "- Tier 2 ($3,900/mo cost): 80 paying teams": "- Tier 2 ($3,907/mo cost): 80 paying teams",
        "- Tier 3 ($9,800/mo cost): 200 paying teams": (
            "- Tier 3 ($9,807/mo cost): 201 paying teams"
        ),
    }
    export = export_plan_document(plan, Live(), source)
    assert BOT_APPENDIX not in export
    assert import_document(export).plan == plan


def test_what_a_later_tiers_list_cannot_say_is_all_the_appendix_holds() -> None:
    """Tier 1's Web service +$255 -> +$262/mo: its bullet reads $347; Tier 2 drops the web
    service (-$340/mo in the plan), which leaves $7 of it that no list line can state:
    that removal is the appendix's one entry, the edited change is not in it."""
    source = (DATA / "plans" / "thorough-tiers.md").read_text(encoding="utf-8")
    plan = _cost_edited(import_document(source).plan, 0, 0, 7)
    export = export_plan_document(plan, Live(), source)
    assert "- Web service: $347" in export.splitlines()
    assert appendix(export) == {"tiers": {1: {"changes": {6: {"cost_change": -340}}}}}
    assert import_document(export).plan == plan


def test_readmes_tiers_before_and_after_is_what_export_plan_writes() -> None:
    readme = (DATA.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```diff\n")[2].split("```", 1)[0].splitlines()
    shown = {before[1:]: after[1:] for before, after in zip(block[0::2], block[1::2], strict=True)}
    source = (DATA / "plans" / "thorough-tiers.md").read_text(encoding="utf-8")
    plan = _cost_edited(import_document(source).plan, 0, 4, 7)
    written = {before: after for before, after in recomputed_lines(source, plan).values()}
    assert shown and all(written[before] == after for before, after in shown.items())
