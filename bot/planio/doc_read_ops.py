"""The document's end: scenarios, optimizations, breaking points, monitoring, change log."""

from __future__ import annotations

import re
from typing import Any

from bot.planio.doc_reader import Reader, slug
from bot.planio.mdblocks import Section, strip_bold

__all__ = [
    "read_breaking_points",
    "read_change_log",
    "read_monitoring",
    "read_optimizations",
    "read_scenarios",
]

# Possessive after each token: one reading of a run of spaces (see mdblocks._LABEL).
_BOLD_ITEM = re.compile(
    r"^\*\*(?P<name>[^*]+)\*\*\s*+(?:\((?P<extra>[^)]*+)\)\s*+)?:\s*+(?P<text>.*)$"
)


def _step(text: str) -> dict[str, str]:
    found = _BOLD_ITEM.match(text)
    if found is None:
        return {"phase": "", "text": text}
    phase = found.group("name").strip()
    if found.group("extra"):
        phase += f" ({found.group('extra').strip()})"
    return {"phase": phase, "text": found.group("text").strip()}


def read_scenarios(section: Section | None, reader: Reader) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    taken: set[str] = set()
    for child in section.children if section else []:
        title = re.sub(r"^scenario\s*\d*\s*[:—–-]\s*", "", child.title, flags=re.IGNORECASE)
        where = f"scenarios[{len(scenarios)}]"
        reader.lines[where] = child.line
        data: dict[str, Any] = {"id": slug(title, taken), "title": title}
        for key, name in (
            ("cause", "Cause"),
            ("recovery_time", "Recovery Time"),
            ("data_loss", "Data Loss"),
            ("cost", "Cost"),
        ):
            label = child.label(name)
            data[key] = label.value if label else ""
        impact = child.label("Impact")
        if impact is None:
            data["impact"] = []
        else:
            data["impact"] = [t for _, t in impact.items] or (
                [impact.value] if impact.value else []
            )
        response = child.label("Response")
        data["response"] = [_step(t) for _, t in response.items] if response else []
        scenarios.append(data)
    return scenarios


def read_optimizations(section: Section | None, reader: Reader) -> list[dict[str, Any]]:
    stages = []
    for child in section.children if section else []:
        stage: dict[str, Any] = {
            "stage": re.sub(r"\s*optimi[sz]ations?$", "", child.title, flags=re.IGNORECASE)
        }
        items: list[dict[str, str]] = []
        stage["label"], stage["roi"], stage["items"] = "", "", items
        for label in child.labels:
            if label.name.lower() == "roi":
                stage["roi"] = label.value
                continue
            stage["label"] = label.name + (f" ({label.extra})" if label.extra else "")
            for _line, text in label.items:
                found = _BOLD_ITEM.match(text)
                name, rest = (found.group("name"), found.group("text")) if found else (text, "")
                effect = re.search(r"\s*\(([^()]*)\)\s*$", rest)
                items.append(
                    {
                        "name": name.strip(),
                        "detail": rest[: effect.start()].strip() if effect else rest.strip(),
                        "effect": effect.group(1).strip() if effect else "",
                    }
                )
        stages.append(stage)
    return stages


def read_breaking_points(section: Section | None, reader: Reader) -> list[dict[str, Any]]:
    points = []
    for label in section.labels if section else []:
        tiers = re.match(r"^tier\s*(\d+)\s*(?:→|->)\s*tier\s*(\d+)$", label.name, re.IGNORECASE)
        if tiers is None:
            continue
        fields = {"first to break": "", "symptom": "", "fix": ""}
        for _line, text in label.items:
            found = _BOLD_ITEM.match(text)
            if found and found.group("name").strip().lower() in fields:
                fields[found.group("name").strip().lower()] = found.group("text").strip()
        if not fields["first to break"]:
            reader.error(label.line, "`- **First to break**: ...`, `- **Symptom**:`, `- **Fix**:`")
            continue
        points.append(
            {
                "from_tier": int(tiers.group(1)),
                "to_tier": int(tiers.group(2)),
                "first_to_break": fields["first to break"],
                "symptom": fields["symptom"],
                "fix": fields["fix"],
            }
        )
    return points


def read_monitoring(section: Section | None, reader: Reader) -> dict[str, Any]:
    thresholds: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    data: dict[str, Any] = {"thresholds": thresholds, "alert_channels": channels}
    if section is None:
        return data
    for table in section.tables[:1]:
        header = [h.lower() for h in table.header]
        severity = next((i for i, h in enumerate(header) if "severity" in h), None)
        for line, cells in table.rows:
            if len(cells) < 3:
                reader.error(line, "a row `| Metric | Tool | Alert Threshold |`", " | ".join(cells))
                continue
            where = f"thresholds[{len(thresholds)}]"
            row: dict[str, Any] = {"name": cells[0], "tool": cells[1], "text": cells[2]}
            if severity is not None and severity < len(cells):
                row["severity"] = cells[severity].lower()
            row["rule"] = reader.rule(
                f"{cells[0]} {cells[2]}", line, f"{where}.rule", required=True
            )
            thresholds.append(row)
    label = section.label("Alert Channels")
    for line, text in label.items if label else []:
        found = re.match(r"^(?P<label>[^(:]+?)\s*\((?P<sev>p\d)\)\s*:\s*(?P<dest>.+)$", text)
        if found is None:
            reader.error(line, "a channel like `- High (p1): Slack #alerts`", text)
            continue
        channels.append(
            {
                "severity": found.group("sev"),
                "label": strip_bold(found.group("label")),
                "destination": found.group("dest").strip(),
            }
        )
    return data


def read_change_log(section: Section | None, reader: Reader) -> list[dict[str, str]]:
    entries = []
    for table in section.tables if section else []:
        if [h.lower() for h in table.header[:2]] != ["date", "change"]:
            continue
        for line, cells in table.rows:
            if len(cells) < 2 or not re.match(r"^\d{4}-\d{2}-\d{2}$", cells[0]):
                reader.error(
                    line, "a row `| 2025-10-10 | What | Why | Effect |`", " | ".join(cells)
                )
                continue
            cells = [*cells, "", ""]
            entries.append(
                {"date": cells[0], "change": cells[1], "reason": cells[2], "impact": cells[3]}
            )
    return entries
