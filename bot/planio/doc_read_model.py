"""The document's middle: Resource Estimates, Cost Model, Performance Targets, Scaling Triggers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.planio.doc_money import money_fields
from bot.planio.doc_reader import Reader, size_gb
from bot.planio.mdblocks import Label, Section, number

Approx = tuple[Decimal, Decimal] | None  # the worked example: (req/sec, "~N" vCPUs)

__all__ = ["Approx", "Pricing", "read_formulas", "read_pricing", "read_scaling", "read_targets"]


def _items(section: Section, *names: str) -> list[tuple[int, str]]:
    label = section.label(*names)
    return label.items if label else []


def _find(items: list[tuple[int, str]], pattern: str) -> tuple[int, re.Match[str]] | None:
    for line, text in items:
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            return line, found
    return None


def _seconds(text: str) -> Decimal | None:
    value = number(text)
    if value is None:
        return None
    return value / 1000 if re.search(r"\d\s*ms\b", text) else value


def _compute(section: Section | None, reader: Reader) -> tuple[dict[str, Any], Approx]:
    """The compute formula, and the `~30` vCPUs of the worked example (for the rounding step)."""
    if section is None:
        return {}, None
    data: dict[str, Any] = {}
    reader.lines["formulas.compute"] = section.line
    formula = _items(section, "Formula")
    efficiency = _find(formula, r"efficiency[^:]*:\s*([\d.]+)")
    response = _find(formula, r"response time[^:]*:\s*(.+)$")
    if efficiency is None or response is None:
        reader.skip(
            section.line,
            "`- Efficiency factor: 0.7` and `- Avg response time: 200ms` under **Formula**",
        )
        return {}, None
    data["efficiency"] = Decimal(efficiency[1].group(1))
    data["avg_response_seconds"] = _seconds(response[1].group(1))
    current = _items(section, "Current")
    vcpus = _find(current, r"(\d+)\s*vCPU")
    if vcpus:
        count = int(vcpus[1].group(1))
        lead = re.match(r"\s*(\d+)\s+\w+", vcpus[1].string)
        if lead and "each" in vcpus[1].string:
            count *= int(lead.group(1))
        data["current_vcpus"] = count
    claim = _find(current, r"~?\s*([\d,.]+)\s*req(?:uests)?\s*/\s*s")
    data["current_rps_claim"] = number(claim[1].group(1)) if claim else None
    example = _items(section, "Example Calculation", "Example")
    sizes = sorted({int(s) for _, t in example for s in re.findall(r"\((\d+)\s*vCPU each\)", t)})
    if sizes:
        data["container_sizes"] = sizes
    approx = _find(example, r"for\s+([\d,.]+)\s*req/sec.*?need\s*~\s*([\d,.]+)\s*vCPU")
    if approx is None:
        return data, None
    data["example"] = approx[1].string.strip()
    rps, stated = number(approx[1].group(1)), number(approx[1].group(2))
    if rps is None or stated is None:
        return data, None
    return data, (rps, stated)


def _connections(section: Section | None, reader: Reader) -> dict[str, Any]:
    if section is None:
        return {}
    data: dict[str, Any] = {}
    reader.lines["formulas.connections"] = section.line
    current = section.label("Current")
    limit = number(current.value) if current else None
    formula = _items(section, "Formula")
    pool = _find(formula, r"per container[^:]*:\s*(\d+)")
    jobs = _find(formula, r"(\d+)\s*workers?\s*[×x*]\s*(\d+)")
    if limit is None or pool is None:
        reader.skip(
            current.line if current else section.line,
            "`**Current**: 100 max connections` and `- Connections per container: 10`",
        )
        return {}
    data["max_connections"] = int(limit)
    data["pool_per_container"] = int(pool[1].group(1))
    data["workers"] = int(jobs[1].group(1)) if jobs else 0
    data["connections_per_worker"] = int(jobs[1].group(2)) if jobs else 0
    pooler = _find(_items(section, "Example"), r"pooler\s*\(([^)]+)\)")
    if pooler:
        data["pooler"] = pooler[1].group(1).strip()
    return data


def _storage(section: Section | None, reader: Reader) -> dict[str, Any]:
    if section is None:
        return {}
    reader.lines["formulas.storage"] = section.line
    items = _items(section, "Example", "Formula")
    files = _find(items, r"files per user[^:]*:\s*([\d,.]+)")
    size = _find(items, r"file size[^:]*:\s*(.+)$")
    points = []
    for _line, text in items:
        point = re.match(r"^([\d,]+)\s*users?:.*\+\s*([\d,.]+\s*[KMGT]B)\s*DB", text, re.I)
        if point:
            users, database = number(point.group(1)), size_gb(point.group(2))
            points.append({"users": int(users or 0), "database_gb": database})
    if files is None or size is None or not points:
        reader.skip(
            section.line,
            "`- Avg files per user: 10`, `- Avg file size: 2MB` and rows like "
            "`- 100 users: ... + 1GB DB = 3GB total`",
        )
        return {}
    mb = (size_gb(size[1].group(1)) or Decimal(0)) * 1000
    data: dict[str, Any] = {"files_per_user": number(files[1].group(1)), "avg_file_mb": mb}
    data["database"] = points
    growth = section.label("Growth Rate", "Growth")
    if growth:
        data["growth_note"] = growth.value
    return data


def read_formulas(section: Section | None, reader: Reader) -> tuple[dict[str, Any], Approx]:
    """The three formulas, and the worked example's rounded vCPU figure."""
    if section is None:
        return {}, None
    compute, approx = _compute(section.child("compute"), reader)
    formulas = {
        "compute": compute,
        "connections": _connections(section.child("connection"), reader),
        "storage": _storage(section.child("storage"), reader),
    }
    # A formula left out or not read is absent: the command that needs it says so.
    return {name: f for name, f in formulas.items() if f}, approx


Pricing = tuple[dict[str, Any], list[int], int | None]  # data, healthy counts, explicit step


def read_pricing(section: Section | None, reader: Reader) -> Pricing:
    label: Label | None = None
    margin: Label | None = None
    for part in [section, *(section.children if section else [])]:
        if part is not None:
            label = part.label("Pricing") or label
            margin = part.label("Healthy Margin") or margin
    if label is None:
        # No price (or only revenue goals): `breakeven` says so; nothing else needs one.
        return {}, [], None
    # `$25/mo per instructor`, `€39/mo per workspace`, `$0.08 per order (who pays)`.
    value = re.sub(r"\([^)]*\)", "", label.value).strip()
    found = re.search(r"/[ ]*+(\w++)", value)
    per = re.search(r"\bper[ ]++(.+)$", value)
    price = money_fields(value, "price")
    if price is None or per is None:
        reader.skip(label.line, "a price like `$25/mo per instructor`", label.value)
        return {}, [], None
    reader.lines["pricing"] = label.line
    # `per paying reader`: every customer in break-even is a paying one already.
    customer = re.sub(r"^paying\s+", "", per.group(1).strip(), flags=re.I)
    data: dict[str, Any] = {**price, "customer": customer}
    if found is None:
        # `$0.08 per order`: no period, the price is charged on each unit of use.
        data["period"] = ""
    elif found.group(1).lower() not in ("mo", "month"):
        data["period"] = found.group(1)
    counts: list[int] = []
    step = None
    if margin is not None:
        multiple = re.search(r"([\d.]+)\s*x", margin.extra or margin.value)
        if multiple:
            data["healthy_multiple"] = Decimal(multiple.group(1))
        explicit = re.search(r"(?:rounded up to|multiple of)\s*(\d+)", margin.extra or margin.value)
        step = int(explicit.group(1)) if explicit else None
        for _line, text in margin.items:
            count = re.match(r"^tier\s*\d+\s*:\s*([\d,]+)", text, re.IGNORECASE)
            if count:
                counts.append(int(number(count.group(1)) or 0))
    return data, counts, step


def read_targets(section: Section | None, reader: Reader) -> list[dict[str, Any]]:
    if section is None or not section.tables:
        return []
    table = section.tables[0]
    targets = []
    for index, (line, cells) in enumerate(table.rows):
        reader.lines[f"targets[{index}]"] = line
        if len(cells) < 2:
            reader.skip(line, "a row `| Metric | tier 0 value | tier 1 value | ... |`")
            continue
        targets.append({"metric": cells[0], "values": cells[1:]})
    return targets


def read_scaling(section: Section | None, reader: Reader) -> dict[str, Any]:
    data: dict[str, Any] = {"scaling_triggers": []}
    if section is None:
        return data
    for table in section.tables[:1]:
        for index, (line, cells) in enumerate(table.rows):
            where = f"scaling_triggers[{index}]"
            if len(cells) < 2:
                reader.skip(line, "a row `| Trigger | Action | Lead Time |`", " | ".join(cells))
                continue
            row: dict[str, Any] = {"text": cells[0], "action": cells[1]}
            row["lead_time"] = cells[2] if len(cells) > 2 else ""
            row["rule"] = reader.rule(cells[0], line, f"{where}.rule", required=True)
            data["scaling_triggers"].append(row)
    auto = section.label("Auto-Scaling Rules", "Auto-Scaling")
    if auto is None:
        return data
    rules: list[dict[str, Any]] = []
    spec: dict[str, Any] = {"rules": rules}
    tier = re.search(r"tier\s*(\d+)", auto.extra, re.IGNORECASE)
    if tier:
        spec["from_tier"] = int(tier.group(1))
    for line, text in auto.items:
        bound = re.match(r"^(min|max)\w*\s+containers?\s*:\s*(\d+)", text, re.IGNORECASE)
        if bound:
            spec[f"{bound.group(1).lower()}_containers"] = int(bound.group(2))
            continue
        parts = re.split(r"\s*(?:→|->)\s*", text, maxsplit=1)
        where = f"auto_scaling.rules[{len(rules)}].rule"
        rule = reader.rule(parts[0], line, where, required=True)
        rules.append({"text": parts[0], "rule": rule, "action": parts[1] if len(parts) > 1 else ""})
    data["auto_scaling"] = spec
    return data
