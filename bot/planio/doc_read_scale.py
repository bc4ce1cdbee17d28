"""The document's top: title, Current Scale (the baseline) and the Growth Projections."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.planio.doc_reader import Reader, size_gb
from bot.planio.mdblocks import Label, Section, is_placeholder, money, number

__all__ = ["TierTotal", "read_baseline", "read_metrics", "read_tiers", "read_title"]

TierTotal = tuple[int, Decimal | None, Decimal | None]  # line, stated total, stated percent


def read_title(root: Section) -> dict[str, Any]:
    data: dict[str, Any] = {}
    top = root.children[0] if root.children and root.children[0].level == 1 else root
    title = re.match(r"capacity plan(?:ning)?\s*[:—–-]\s*(.+)$", top.title, re.IGNORECASE)
    if title:
        data["product"] = title.group(1).strip()
    for section in (top, root):
        product = section.label("Product")
        if product:
            data["product"] = product.value
        updated = section.label("Last Updated")
        if updated:
            data["last_updated"] = updated.value
    return data


def _line_item(line: int, text: str, reader: Reader) -> dict[str, Any] | None:
    found = re.match(r"^(?P<name>[^:]+):\s*(?P<cost>[^(]*?)\s*(?:\((?P<note>.*)\))?$", text)
    cost = money(found.group("cost")) if found else None
    if found is None or cost is None:
        reader.error(line, "a line item like `- Railway: $30 (API + PostgreSQL)`", text)
        return None
    return {"name": found.group("name").strip(), "cost": cost, "note": found.group("note") or ""}


def read_metrics(label: Label | None, reader: Reader) -> list[tuple[str, str, str, list[str]]]:
    """`- \\`name\\` (unit): description; also: word, word` lines: the document's metrics."""
    declared = []
    for line, text in label.items if label else []:
        found = re.match(
            r"^`?(?P<name>[a-z][a-z0-9_]*)`?\s*(?:\((?P<unit>[^)]*)\))?\s*:\s*(?P<desc>[^;]*)"
            r"(?:;\s*also:\s*(?P<words>.*))?$",
            text,
        )
        if found is None:
            reader.error(
                line, "a metric like `- `queue_depth` (jobs): Jobs waiting; also: backlog`", text
            )
            continue
        words = [w.strip() for w in (found.group("words") or "").split(",") if w.strip()]
        declared.append(
            (
                found.group("name"),
                (found.group("unit") or "").strip(),
                found.group("desc").strip(),
                words,
            )
        )
    return declared


def read_baseline(section: Section | None, reader: Reader) -> dict[str, Any]:
    if section is None:
        reader.error(1, "a `## Current Scale` section with **Users**, **Requests**, **Budget**")
        return {}
    data: dict[str, Any] = {}
    name = re.search(r"\(([^)]+)\)", section.title)
    if name:
        data["name"] = name.group(1).strip()
    reader.lines["baseline"] = section.line
    fields = (
        ("Users", "users", number, "a user count like `**Users**: 100 active users`"),
        ("Requests", "requests_per_day", number, "requests like `**Requests**: ~10,000/day`"),
        ("Storage", "storage_gb", size_gb, "a size like `**Storage**: 5GB`"),
        ("Database", "database_gb", size_gb, "a size like `**Database**: < 1GB`"),
    )
    for label_name, key, read, expected in fields:
        label = section.label(label_name)
        if label is None:
            if key == "database_gb":
                data[key] = Decimal(0)
                continue
            reader.error(section.line, f"{expected} in Current Scale")
            continue
        value = read(label.value)
        if value is None:
            reader.error(label.line, expected, label.value)
            continue
        if key == "requests_per_day" and re.search(r"/\s*mo|per month|month", label.value):
            value = (value / 30).to_integral_value()
        data[key] = int(value) if key in ("users", "requests_per_day") else value
        data[key.replace("_per_day", "").replace("_gb", "") + "_note"] = label.value
    budget = section.label("Budget")
    if budget is None or money(budget.value) is None:
        reader.error(budget.line if budget else section.line, "`**Budget**: $40/mo total`")
    else:
        data["budget"] = money(budget.value)
        items = [_line_item(line, text, reader) for line, text in budget.items]
        data["line_items"] = [i for i in items if i is not None]
    constraints = section.label("Constraints")
    data["constraints"] = [text for _, text in constraints.items] if constraints else []
    return data


# The name and the `(users)` after it are taken apart by hand (`_tier_heading`): `(.*?)\s*`
# before an optional group backtracks cubically over a run of spaces.
_TIER = re.compile(r"tier\s++(\d++)\s*+(?:[:—–-]\s*+)?(.*)", re.IGNORECASE)
_USERS = re.compile(r"\(([^()]*)\)$")


def _tier_heading(title: str) -> tuple[int, str, str | None] | None:
    """(number, name, what the parentheses at the end say) of `Tier 1: Name (users)`."""
    found = _TIER.match(title.strip())
    if found is None:
        return None
    rest = found.group(2).rstrip()
    users = _USERS.search(rest)
    if users is None:
        return int(found.group(1)), rest, None
    return int(found.group(1)), rest[: users.start()].rstrip(), users.group(1)


_LISTS = (
    ("capacity", ("Capacity",)),
    ("architecture_changes", ("Architecture Changes",)),
    ("optimizations", ("Optimizations Needed", "Optimizations")),
    ("bottlenecks", ("Bottlenecks",)),
)


def _changes(section: Section, where: str, reader: Reader) -> list[dict[str, Any]]:
    label = section.label("Infrastructure Changes", "Changes")
    table = (
        label.table if label and label.table else (section.tables[0] if section.tables else None)
    )
    if table is None:
        return []
    if len(table.header) < 4:
        reader.error(table.line, "a changes table `| Component | Current | New | Cost Change |`")
        return []
    changes = []
    for index, (line, cells) in enumerate(table.rows):
        reader.lines[f"{where}.changes[{index}]"] = line
        cost = money(cells[-1]) if len(cells) >= 4 else None
        if len(cells) < 4 or cost is None:
            reader.error(line, "a row `| Component | from | to | +$20/mo |`", " | ".join(cells))
            continue
        changes.append(
            {"component": cells[0], "current": cells[1], "new": cells[2], "cost_change": cost}
        )
    return changes


def _total(label: Label | None) -> TierTotal:
    if label is None or is_placeholder(label.value):
        return (0, None, None)
    amounts = re.findall(r"(?<![+\-−\w])\$\s*[\d,]+(?:\.\d+)?[kKmM]?", label.value)
    stated = money(amounts[1]) if len(amounts) >= 2 else None
    percent = re.search(r"([+\-−]?\d+(?:\.\d+)?)\s*%", label.value)
    pct = Decimal(percent.group(1).replace("−", "-")) if percent else None
    return (label.line, stated, pct)


def read_tiers(
    section: Section | None, reader: Reader
) -> tuple[list[dict[str, Any]], list[TierTotal]]:
    if section is None or not section.children:
        reader.error(
            section.line if section else 1,
            "a `## Growth Projections` section with `### Tier 1: NAME (100 → 1,000 users)`",
        )
        return [], []
    tiers: list[dict[str, Any]] = []
    totals: list[TierTotal] = []
    for child in section.children:
        heading = _tier_heading(child.title)
        if heading is None:
            continue
        tier_number, tier_name, users_in_title = heading
        where = f"tiers[{len(tiers)}]"
        reader.lines[where] = child.line
        if tier_number != len(tiers) + 1:
            reader.error(child.line, f"Tier {len(tiers) + 1} next", child.title)
        users_text = users_in_title or ""
        users_label = child.label("Users")
        if users_label:
            users_text = users_label.value
        users = re.findall(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?[kKmM]?", users_text)
        if not users:
            reader.error(
                child.line,
                "the tier's users, e.g. `### Tier 1: 10x Growth (100 → 1,000 users)`",
                child.title,
            )
            continue
        tier: dict[str, Any] = {"name": tier_name.strip() or f"Tier {len(tiers) + 1}"}
        tier["users"] = int(number(users[-1]) or 0)
        timeline = child.label("Timeline")
        if timeline:
            tier["timeline"] = timeline.value
        triggers = child.label("Triggers")
        tier["triggers"] = []
        for index, (line, text) in enumerate(triggers.items if triggers else []):
            rule = reader.rule(text, line, f"{where}.triggers[{index}]", required=False)
            tier["triggers"].append({"text": text, "rule": rule})
        tier["changes"] = _changes(child, where, reader)
        for key, names in _LISTS:
            label = child.label(*names)
            tier[key] = [text for _, text in label.items] if label else []
        tiers.append(tier)
        totals.append(_total(child.label("Total New Cost", "Total Cost", "Total")))
    if not tiers:
        reader.error(section.line, "at least one `### Tier 1: NAME (100 → 1,000 users)` heading")
    return tiers, totals
