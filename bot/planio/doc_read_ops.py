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

_BOLD_ITEM = re.compile(r"^\*\*(?P<name>[^*]+)\*\*\s*(?:\((?P<extra>[^)]*)\))?\s*:\s*(?P<text>.*)$")


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
            reader.skip(label.line, "`- **First to break**: ...`, `- **Symptom**:`, `- **Fix**:`")
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
        query = next((i for i, h in enumerate(header) if h.strip() == "query"), None)
        for line, cells in table.rows:
            if len(cells) < 3:
                reader.skip(line, "a row `| Metric | Tool | Alert Threshold |`", " | ".join(cells))
                continue
            where = f"thresholds[{len(thresholds)}]"
            row: dict[str, Any] = {"name": cells[0], "tool": cells[1], "text": cells[2]}
            if severity is not None and severity < len(cells):
                row["severity"] = cells[severity].lower()
            row["rule"] = reader.rule(
                f"{cells[0]} {cells[2]}", line, f"{where}.rule", required=True
            )
            # A `Query` column: the PromQL that pulls the row's metric from Prometheus.
            promql = (
                cells[query].strip().strip("`").strip()
                if query is not None and query < len(cells)
                else ""
            )
            if promql and row["rule"]:
                reader.queries.setdefault(row["rule"]["metric"], promql)
            thresholds.append(row)
    label = section.label("Alert Channels", "Alerts", "Alerting")
    for line, text in label.items if label else []:
        channel = read_channel(line, text, reader)
        if channel is None:
            continue
        if any(c["severity"] == channel["severity"] for c in channels):
            reader.warn(
                line,
                f"`{text[:80]}` is a second {channel['severity']} channel; the first one "
                "routes, this one stays text",
            )
            continue
        channels.append(channel)
    return data


# Words a team uses for how loud an alert is, by the severity they mean.
_SEVERITY_WORDS = (
    ("p0", ("critical", "urgent", "emergency", "page", "sev1", "sev 1", "outage", "down")),
    ("p1", ("high", "error", "major", "important", "sev2", "sev 2")),
    ("p2", ("medium", "warning", "warn", "low", "minor", "info", "notice", "sev3", "sev 3")),
)
_REACHABLE = ("slack", "pagerduty", "pager duty", "mail")


def _severity(label: str, extra: str) -> str | None:
    for word in (extra.lower(), label.lower()):
        found = re.search(r"\bp([0-2])\b", word)
        if found:
            return f"p{found.group(1)}"
    for severity, words in _SEVERITY_WORDS:
        if any(w in label.lower() for w in words):
            return severity
    for severity, words in _SEVERITY_WORDS:
        if any(w in extra.lower() for w in words):
            return severity
    return None


def read_channel(line: int, text: str, reader: Reader) -> dict[str, Any] | None:
    """`High (p1): Slack #alerts`, `Critical (site down): SMS + Email (Pingdom)`,
    `Low: we look at Grafana on Mondays`: severity -> destinations. The destinations the
    bot can reach route; the rest stay text, with a warning. (str methods, not one regex:
    linear whatever the line holds.)"""
    head, colon, destination = text.partition(":")
    head = strip_bold(head).strip()
    severity = None
    if head.endswith(")") and head.rfind("(") >= 0:
        # `Critical (p0)`: the severity in its own parentheses, the rest is the label.
        opened = head.rfind("(")
        named = head[opened + 1 : -1].strip().lower()
        if len(named) == 2 and named[0] == "p" and named[1] in "012":
            severity, head = named, head[:opened].rstrip()
    opened = head.find("(")
    name = head[:opened] if opened >= 0 else head
    extra = head[opened + 1 :].rsplit(")", 1)[0] if opened >= 0 else ""
    severity = severity or _severity(name, extra)
    if not colon or severity is None or not destination.strip():
        reader.skip(line, "a channel like `- High (p1): Slack #alerts`", text)
        return None
    destination = " ".join(destination.split())
    spread = destination
    for joint in (" + ", " and ", " & ", ",", "/"):
        spread = spread.replace(joint, "\0")
    parts = [p.strip() for p in spread.split("\0") if p.strip()]
    unreachable = [p for p in parts if not any(w in p.lower() for w in _REACHABLE)]
    if unreachable and len(unreachable) < len(parts):
        reader.warn(
            line,
            f"{', '.join(unreachable)}: not a destination capacity-bot can reach (Slack, "
            f"PagerDuty, email); kept as text, {severity} alerts go to "
            + ", ".join(p for p in parts if p not in unreachable),
        )
    elif unreachable:
        reader.warn(
            line,
            f"`{destination[:80]}` names no destination capacity-bot can reach (Slack, "
            f"PagerDuty, email); kept as text, {severity} alerts go to the alerts channel",
        )
    label = head
    return {"severity": severity, "label": label, "destination": destination}


def read_change_log(section: Section | None, reader: Reader) -> list[dict[str, str]]:
    entries = []
    for table in section.tables if section else []:
        if [h.lower() for h in table.header[:2]] != ["date", "change"]:
            continue
        for line, cells in table.rows:
            if len(cells) < 2 or not re.match(r"^\d{4}-\d{2}-\d{2}$", cells[0]):
                reader.skip(line, "a row `| 2025-10-10 | What | Why | Effect |`", " | ".join(cells))
                continue
            cells = [*cells, "", ""]
            entries.append(
                {"date": cells[0], "change": cells[1], "reason": cells[2], "impact": cells[3]}
            )
    return entries
