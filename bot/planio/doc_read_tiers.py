"""Tiers written another way: a `## Tiers` section of `### Tier 0: Seed (50 teams)` sections,
each with its own **Costs** list ending in `**Total**: $380/month`; notes on tier headings
(`[WE ARE HERE]`); a triggers table with one column per step (`Starter → Growth`); and the
labelled blocks inside a tier that no field holds, kept as the tier's own text."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bot.planio.doc_keep import Outline, kept_label, kept_section
from bot.planio.doc_money import money_fields
from bot.planio.doc_reader import Reader
from bot.planio.mdblocks import Section, Table, is_placeholder, money, number, strip_bold

__all__ = [
    "TIER_LABELS",
    "baseline_kept",
    "heading_notes",
    "line_item",
    "read_step_triggers",
    "read_tier_list",
    "step_columns",
    "step_triggers",
    "tier_extras",
    "tier_kept",
]

# Labels a template-shaped tier is read from; any other label is kept as the tier's text.
TIER_LABELS = frozenset(
    {
        "timeline",
        "triggers",
        "infrastructure changes",
        "changes",
        "changes on infrastructure",
        "capacity",
        "architecture changes",
        "optimizations needed",
        "optimizations",
        "bottlenecks",
        "total new cost",
        "total cost",
        "total",
        "users",
        "example",
    }
)
_HERE = ("we are here", "current", "you are here", "now")
_TIER = re.compile(r"tier\s*(\d+)", re.IGNORECASE)
_ARROW = re.compile(r"→|->")


def heading_notes(title: str) -> tuple[str, list[str]]:
    """`Tier 0: Seed (50 teams) [WE ARE HERE]` -> the heading without its `[...]` notes,
    and the notes. Scans from the end, so it is linear in the title."""
    notes: list[str] = []
    end = len(title.rstrip())  # the heading is title[:end]; no copies in the loop
    while end and title[end - 1] == "]":
        start = title.rfind("[", 0, end)
        if start < 0:
            break
        notes.append(title[start + 1 : end - 1].strip())
        end = start
        while end and title[end - 1].isspace():
            end -= 1
    return title[:end], notes[::-1]


def is_here(notes: list[str]) -> bool:
    return any(note.lower() in _HERE for note in notes)


def line_item(line: int, text: str, reader: Reader) -> dict[str, Any] | None:
    """`Railway: $30 (API)`, `vps $12`, `**Total**: $380/month`: name, cost, note. A line
    with no amount is a warning, never a refusal."""
    body = strip_bold(text)
    name, sep, rest = body.partition(":")
    if not sep:
        # `vps $12`: the name is what comes before the first word with a digit in it.
        words = body.split()
        first = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w)), None)
        if not first:
            reader.warn(line, f"`{text[:80]}` has no amount like `- Railway: $30`; skipped")
            return None
        name, rest = " ".join(words[:first]), " ".join(words[first:])
    cost = money_fields(rest, "cost")
    if cost is None:
        reader.warn(line, f"`{text[:80]}` has no amount capacity-bot reads; skipped")
        return None
    note = ""
    opened = rest.find("(")
    if opened >= 0 and rest.rstrip().endswith(")"):
        note = rest[opened + 1 : rest.rstrip().rfind(")")].strip()
    return {"name": name.strip(), **cost, "note": note}


Kept = list[tuple[int, dict[str, Any]]]  # (line in the document, DocSection data)


def tier_extras(
    outline: Outline, section: Section, number: int, known: frozenset[str] = TIER_LABELS
) -> Kept:
    """What sits under a tier that no field holds: other labels, nested sections."""
    kept = [
        (label.line, kept_label(outline, section, label, f"tier:{number}", number))
        for label in section.labels
        if label.name.lower() not in known and not is_placeholder(label.value or "x")
    ]
    kept += [
        (child.line, kept_section(outline, child, f"tier:{number}", number))
        for child in section.children
    ]
    return kept


_BASELINE_LABELS = frozenset(
    {
        "users",
        "requests",
        "storage",
        "database",
        "budget",
        "constraints",
        "metrics",
        "example",
        "measured now",
    }
)


def baseline_kept(section: Section, outline: Outline) -> Kept:
    """Labelled blocks and sections under Current Scale that no field holds: tier 0's
    own text. The label that counts the users (`**Tenants**: 12 ...`) is read, not kept."""
    counted = next(
        (
            label.name.lower()
            for label in section.labels
            if label.name.lower() not in _BASELINE_LABELS and number(label.value) is not None
        ),
        None,
    )
    known = _BASELINE_LABELS | ({counted} if counted else set())
    return tier_extras(outline, section, 0, frozenset(known))


def tier_kept(
    growth: Section | None, tiers: list[dict[str, Any]], reader: Reader, outline: Outline
) -> Kept:
    """The kept text under each template-shaped tier (`### Tier 2: ...` under Growth)."""
    if growth is None:
        return []
    numbers = {reader.lines.get(f"tiers[{i}]"): i + 1 for i in range(len(tiers))}
    kept: Kept = []
    for child in growth.children:
        number = numbers.get(child.line)
        if number is None:
            kept.append((child.line, kept_section(outline, child, "tiers")))
        else:
            kept += tier_extras(outline, child, number)
    return kept


def step_triggers(
    section: Section | None, tiers: list[dict[str, Any]], reader: Reader
) -> Section | None:
    """Read a per-step triggers table into the tiers' triggers; the section without it
    (for the `| Trigger | Action | Lead Time |` reader)."""
    if section is None or not section.tables or not tiers:
        return section
    columns = step_columns(section.tables[0], tiers)
    if columns is None:
        return section
    read_step_triggers(section.tables[0], columns, tiers, reader)
    return replace(section, tables=section.tables[1:])


def _costs(
    section: Section, reader: Reader
) -> tuple[list[dict[str, Any]], list[int], Decimal | None, int]:
    """The tier's **Costs** list: its items, the line of each, and the stated `**Total**`."""
    label = section.label("Costs", "Cost", "Monthly Costs")
    items: list[dict[str, Any]] = []
    at: list[int] = []
    total: Decimal | None = None
    line = label.line if label else section.line
    for item_line, text in label.items if label else []:
        if strip_bold(text).lower().startswith("total"):
            total = money(text)
            line = item_line
            continue
        item = line_item(item_line, text, reader)
        if item is not None:
            items.append(item)
            at.append(item_line)
    if label is not None and total is None and label.value:
        total = money(label.value)
    return items, at, total, line


def _key(name: str) -> str:
    """`PostgreSQL + replica` and `PostgreSQL`, `Workers` and `Worker`, `Email (Postmark)`
    and `Email` are the same component from one tier to the next: the first word."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    first = words[0] if words else name.lower()
    return first[:-1] if len(first) > 3 and first.endswith("s") else first


Listed = list[tuple[dict[str, Any], int]]  # a cost list's items with their lines


def _diff(before: Listed, after: Listed, where: str, reader: Reader) -> list[dict[str, Any]]:
    """Component changes from one tier's cost list to the next, matched by name, then by
    the name's first word; what the new list lacks is removed. `current` and `new` are the
    component's names in the two lists (`—` where it is absent), never its amounts: the
    amounts are the lists' own figures, which export-plan rewrites from the plan's costs
    (a second copy of them would go stale the moment a cost is edited). Each change's
    two list lines are noted (`tiers[1].changes[0].current` / `.new`) for export."""
    left = list(before)
    pairs: list[tuple[tuple[dict[str, Any], int] | None, tuple[dict[str, Any], int] | None]] = []
    for item, line in after:
        name = item["name"].lower()
        match = next((o for o in left if o[0]["name"].lower() == name), None)
        match = match or next((o for o in left if _key(o[0]["name"]) == _key(name)), None)
        if match is not None:
            left.remove(match)
        pairs.append((match, (item, line)))
    pairs += [(was, None) for was in left]
    changes = []
    for index, (was, now) in enumerate(pairs):
        for end, side in (("current", was), ("new", now)):
            if side is not None:
                reader.lines[f"{where}.changes[{index}].{end}"] = side[1]
        before_cost = was[0]["cost"] if was else Decimal(0)
        after_cost = now[0]["cost"] if now else Decimal(0)
        changes.append(
            {
                "component": (now or was or ({"name": ""}, 0))[0]["name"],
                "current": was[0]["name"] if was else "—",
                "new": now[0]["name"] if now else "—",
                "cost_change": after_cost - before_cost,
            }
        )
    return changes


def read_tier_list(
    section: Section, reader: Reader, outline: Outline
) -> tuple[
    dict[str, Any], list[dict[str, Any]], list[tuple[int, Decimal | None, Decimal | None]], Kept
]:
    """`## Tiers` with `### Tier 0: Seed (50 teams)`...: the baseline (tier 0), the tiers,
    their stated totals and the tier sections' own text."""
    baseline: dict[str, Any] = {}
    tiers: list[dict[str, Any]] = []
    totals: list[tuple[int, Decimal | None, Decimal | None]] = []
    kept: Kept = []
    previous: Listed = []
    for child in section.children:
        title, notes = heading_notes(child.title)
        found = re.match(r"^tier\s*(\d+)\s*[:—–-]?\s*", title, re.IGNORECASE)
        if found is None:
            kept.append((child.line, kept_section(outline, child, "tiers")))
            continue
        rest = title[found.end() :]
        opened = rest.find("(")
        name = (rest[:opened] if opened >= 0 else rest).strip() or f"Tier {found.group(1)}"
        count = number(rest[opened:]) if opened >= 0 else None
        items, at, total, line = _costs(child, reader)
        spent = sum((i["cost"] for i in items), Decimal(0))
        index = len(tiers) + (1 if baseline else 0)
        if count is None:
            reader.warn(child.line, f"`{child.title[:80]}` names no count like `(50 teams)`")
            continue
        if is_here(notes):
            reader.here = index
        if not baseline:
            reader.lines["baseline"] = reader.lines["baseline.users"] = child.line
            baseline = {"name": name, "users": int(count), "budget": total or spent}
            baseline["line_items"] = items
            reader.lines["baseline.line_items"] = line
            if total is not None:
                reader.lines["baseline.budget"] = line
            reader.lines.update({f"baseline.line_items[{k}]": n for k, n in enumerate(at)})
            # "Measured now" is the live block export-plan writes here: not the team's text.
            known = {"costs", "cost", "monthly costs", "breaking points", "measured now"}
        else:
            where = f"tiers[{len(tiers)}]"
            reader.lines[where] = child.line
            tier: dict[str, Any] = {"name": name, "users": int(count), "triggers": []}
            tier["changes"] = _diff(previous, list(zip(items, at, strict=True)), where, reader)
            breaking = child.label("Breaking Points", "Bottlenecks")
            tier["bottlenecks"] = [t for _, t in breaking.items] if breaking else []
            timeline = child.label("Timeline")
            if timeline:
                tier["timeline"] = timeline.value
            tiers.append(tier)
            totals.append((line, total, None))
            known = {"costs", "cost", "monthly costs", "breaking points", "bottlenecks", "timeline"}
        previous = list(zip(items, at, strict=True))
        kept += tier_extras(outline, child, index, frozenset(known))
    return baseline, tiers, totals, kept


def step_columns(table: Table, tiers: list[dict[str, Any]]) -> list[int] | None:
    """For a table like `| Signal | Seed → Starter | Starter → Growth |`: the tier index
    (0-based into `tiers`) each column leads to; None when the table is not of that shape."""
    steps = table.header[1:]
    if not steps or not all(_ARROW.search(h) for h in steps):
        return None
    names = [t["name"].lower() for t in tiers]
    out = []
    for position, header in enumerate(steps):
        target = _ARROW.split(header)[-1].strip().lower()
        numbered = _TIER.search(target)
        if numbered and 1 <= int(numbered.group(1)) <= len(tiers):
            out.append(int(numbered.group(1)) - 1)
        elif target in names:
            out.append(names.index(target))
        else:
            out.append(min(position, len(tiers) - 1))
    return out


def read_step_triggers(
    table: Table, columns: list[int], tiers: list[dict[str, Any]], reader: Reader
) -> None:
    """Each cell is a trigger of the tier its column leads to: `Weekly signups` and
    `> 400 (80% of capacity)` read as `Weekly signups > 400 (80% of capacity)`."""
    for line, cells in table.rows:
        signal = strip_bold(cells[0]) if cells else ""
        for offset, index in enumerate(columns, start=1):
            cell = strip_bold(cells[offset]) if offset < len(cells) else ""
            if not cell or cell in ("—", "-", "n/a"):
                continue
            text = f"{signal} {cell}" if cell[:1] in "<>≥≤=" else cell
            triggers = tiers[index].setdefault("triggers", [])
            where = f"tiers[{index}].triggers[{len(triggers)}]"
            rule = reader.rule(text, line, where, required=False)
            triggers.append({"text": text, "rule": rule})
