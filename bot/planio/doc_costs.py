"""The document's "Cost Mapping" section: the plan's `costs` as tables a person reads and
edits, written by `export-plan` and read by `import-plan`.

```
## Cost Mapping

**Cost column**: BilledCost

**Rules** (the first that matches wins):

| Match | Component |
|---|---|
| service = Amazon RDS | Database |
| provider = AWS, tag = component=api | API |

**Line items**:

| Line item | Component |
|---|---|
| Railway | API 50%, Database 35%, Cache 15% |
| Vercel Blob | Storage |
```
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.domain.cost_plan import MATCHERS, CostPlan
from bot.domain.plan import Plan
from bot.planio.doc_reader import Reader
from bot.planio.mdblocks import Section, Table

__all__ = ["TITLE", "read_costs", "write_costs"]

TITLE = "Cost Mapping"
_SHARE = re.compile(r"^(?P<name>.+?)\s+(?P<pct>\d+(?:\.\d+)?)\s*%$")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _share(value: Decimal) -> str:
    return f"{value.normalize():f}"


def write_costs(plan: Plan) -> list[str]:
    """The section, or nothing for a plan that maps no bill (the template's own)."""
    costs = plan.costs
    if not costs.rules and not costs.line_items and costs.amount == CostPlan().amount:
        return []
    lines = [f"## {TITLE}", "", f"**Cost column**: {costs.amount}", ""]
    if costs.rules:
        lines += [
            "**Rules** (the first that matches wins):",
            "",
            "| Match | Component |",
            "|---|---|",
        ]
        for rule in costs.rules:
            match = ", ".join(f"{m} = {getattr(rule, m)}" for m in MATCHERS if getattr(rule, m))
            lines.append(f"| {_cell(match)} | {_cell(rule.component)} |")
        lines.append("")
    if costs.line_items:
        lines += ["**Line items**:", "", "| Line item | Component |", "|---|---|"]
        for split in costs.line_items:
            if split.component is not None:
                parts = split.component
            else:
                parts = ", ".join(f"{k} {_share(v)}%" for k, v in split.shares.items())
            lines.append(f"| {_cell(split.item)} | {_cell(parts)} |")
        lines.append("")
    return [*lines, "---", ""]


def _rows(table: Table | None) -> list[tuple[int, list[str]]]:
    return table.rows if table is not None else []


def read_costs(section: Section | None, reader: Reader) -> dict[str, Any]:
    """`{"costs": ...}` as the section states it; nothing when the document has none."""
    if section is None:
        return {}
    reader.lines["costs"] = section.line
    data: dict[str, Any] = {}
    column = section.label("Cost column")
    if column is not None and column.value:
        data["amount"] = column.value.strip()
    rules_label, items_label = section.label("Rules"), section.label("Line items")
    rules: list[dict[str, Any]] = []
    for line, cells in _rows(rules_label.table if rules_label else None):
        if len(cells) < 2:
            reader.error(line, "| Match | Component |", " | ".join(cells))
            continue
        rule: dict[str, Any] = {"component": cells[1].strip()}
        for part in cells[0].split(","):
            name, eq, value = part.partition("=")
            name = name.strip().lower().replace(" ", "_")
            if not eq or name not in MATCHERS or not value.strip():
                reader.error(line, f"`field = value` with a field of {', '.join(MATCHERS)}", part)
                break
            rule[name] = value.strip()
        reader.lines[f"costs.rules[{len(rules)}]"] = line
        rules.append(rule)
    items: list[dict[str, Any]] = []
    for line, cells in _rows(items_label.table if items_label else None):
        if len(cells) < 2:
            reader.error(line, "| Line item | Component |", " | ".join(cells))
            continue
        item: dict[str, Any] = {"item": cells[0].strip()}
        parts = [p.strip() for p in cells[1].split(",") if p.strip()]
        shares = [_SHARE.match(p) for p in parts]
        if len(parts) == 1 and shares[0] is None:
            item["component"] = parts[0]
        elif parts and all(shares):
            item["shares"] = {m["name"]: Decimal(m["pct"]) for m in shares if m}
        else:
            reader.error(line, "one component, or shares like `API 50%, Database 50%`", cells[1])
            continue
        reader.lines[f"costs.line_items[{len(items)}]"] = line
        items.append(item)
    data["rules"] = rules
    data["line_items"] = items
    return {"costs": data}
