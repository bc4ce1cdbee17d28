"""The document's top: title, Current Scale (the baseline) and the Growth Projections."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.planio.doc_money import money_fields, stated_figures
from bot.planio.doc_read_tiers import heading_notes, is_here, line_item
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
    """`Railway: $30 (API + PostgreSQL)`: name, cost, note. String methods, not
    `([^(]*?)\\s*(...)?$`, which tries every split of a long run of spaces."""
    name, colon, rest = text.partition(":")
    rest = rest.strip()
    opened = rest.find("(")
    note = rest[opened + 1 : -1] if opened >= 0 and rest.endswith(")") else ""
    cost = money_fields(rest if opened < 0 else rest[:opened].strip(), "cost")
    if not colon or not name or cost is None or (opened >= 0 and not rest.endswith(")")):
        # Worded its own way (`vps $12`, `€18/mo (~$20/mo)`): read leniently, or left out
        # with a warning.
        return line_item(line, text, reader)
    return {"name": name.strip(), **cost, "note": note}


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
            reader.skip(
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
        label = section.label(label_name) or (_count_label(section) if key == "users" else None)
        if label is None:
            # Left out: only the users are needed (tier 0's cost per user).
            if key == "users":
                reader.skip(section.line, f"{expected} in Current Scale")
            continue
        value = read(label.value)
        if value is None:
            reader.skip(label.line, expected, label.value)
            continue
        if key == "requests_per_day" and re.search(r"/\s*mo|per month|month", label.value):
            value = (value / 30).to_integral_value()
        data[key] = int(value) if key in ("users", "requests_per_day") else value
        data[key.replace("_per_day", "").replace("_gb", "") + "_note"] = label.value
    budget = section.label("Budget")
    if budget is None or money(budget.value) is None:
        # The one thing a plan cannot do without: no cost, no tier can be served.
        reader.error(budget.line if budget else section.line, "`**Budget**: $40/mo total`")
    else:
        data.update(money_fields(budget.value, "budget") or {})
        listed = [(_line_item(line, text, reader), line) for line, text in budget.items]
        kept = [(item, line) for item, line in listed if item is not None]
        data["line_items"] = [item for item, _ in kept]
        # Each item's line: export-plan writes an edited cost back on it.
        reader.lines.update({f"baseline.line_items[{k}]": n for k, (_, n) in enumerate(kept)})
        reader.lines["baseline.budget"] = budget.line
    constraints = section.label("Constraints")
    data["constraints"] = [text for _, text in constraints.items] if constraints else []
    return data


_NOT_COUNTS = frozenset(
    {"requests", "storage", "database", "budget", "constraints", "metrics", "example"}
)


def _count_label(section: Section) -> Label | None:
    """`**Tenants**: 12 client sites`: the first label that counts something, when the
    document names its users its own way."""
    for label in section.labels:
        if label.name.lower() not in _NOT_COUNTS and number(label.value) is not None:
            return label
    return None


_TIER = re.compile(r"tier\s+(\d+)", re.IGNORECASE)


def _tier_heading(title: str) -> tuple[int, str, str] | None:
    """`Tier 1: 10x Growth (100 → 1,000 users)` -> (1, "10x Growth", "100 → 1,000 users").
    The number by a regex anchored at the start, the rest by string methods: linear
    whatever the heading holds."""
    found = _TIER.match(title)
    if found is None:
        return None
    rest = title[found.end() :].strip().lstrip(":—–-").strip()
    users = ""
    if rest.endswith(")") and "(" in rest:
        opened = rest.rfind("(")
        users, rest = rest[opened + 1 : -1], rest[:opened].strip()
    return int(found.group(1)), rest, users


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
        reader.skip(table.line, "a changes table `| Component | Current | New | Cost Change |`")
        return []
    changes = []
    for index, (line, cells) in enumerate(table.rows):
        reader.lines[f"{where}.changes[{index}]"] = line
        cost = money_fields(cells[-1], "cost_change") if len(cells) >= 4 else None
        if len(cells) < 4 or cost is None:
            reader.skip(line, "a row `| Component | from | to | +$20/mo |`", " | ".join(cells))
            continue
        changes.append({"component": cells[0], "current": cells[1], "new": cells[2], **cost})
    return changes


def _total(label: Label | None, reader: Reader, index: int) -> TierTotal:
    """`$95/mo → $415/mo (+$320/mo, +337%)`: what the tier's total line states."""
    if label is None or is_placeholder(label.value):
        return (0, None, None)
    stated = stated_figures(label.value)
    reader.stated[index] = stated
    total, percent = stated.get("total"), stated.get("percent")
    # A range's percentage tells no rounding mode: only a single figure does.
    pct = percent[0] if percent and percent[0] == percent[1] else None
    return (label.line, total[0] if total else None, pct)


def read_tiers(
    section: Section | None, reader: Reader
) -> tuple[list[dict[str, Any]], list[TierTotal]]:
    if section is None or not section.children:
        return [], []
    tiers: list[dict[str, Any]] = []
    totals: list[TierTotal] = []
    for child in section.children:
        title, notes = heading_notes(child.title)
        heading = _tier_heading(title)
        if heading is None:
            continue
        if is_here(notes):
            reader.here = len(tiers) + 1
        where = f"tiers[{len(tiers)}]"
        reader.lines[where] = child.line
        if heading[0] != len(tiers) + 1:
            reader.skip(
                child.line,
                f"Tier {len(tiers) + 1} next (read as Tier {len(tiers) + 1})",
                child.title,
            )
        users_text = heading[2]
        users_label = child.label("Users")
        if users_label:
            users_text = users_label.value
        users = re.findall(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?[kKmM]?", users_text)
        if not users:
            reader.skip(
                child.line,
                "the tier's users, e.g. `### Tier 1: 10x Growth (100 → 1,000 users)`",
                child.title,
            )
            continue
        tier: dict[str, Any] = {"name": heading[1] or f"Tier {len(tiers) + 1}"}
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
        label = child.label("Total New Cost", "Total Cost", "Total")
        totals.append(_total(label, reader, len(tiers) - 1))
    return tiers, totals
