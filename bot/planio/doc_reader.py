"""Shared state of one document read: problems, warnings, where things came from, rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.rule_text import RuleContext, parse_rule_text
from bot.domain.rules import format_duration
from bot.planio.mdblocks import number

__all__ = ["Reader", "size_gb", "slug"]


@dataclass
class Reader:
    rules: RuleContext
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # plan location ("tiers[1]") -> the document line it was read from
    lines: dict[str, int] = field(default_factory=dict)
    # rules the plan must have but the text did not give: (location, line, text)
    missing_rules: list[tuple[str, int, str]] = field(default_factory=list)
    # The tier the document marks as where the team is (`[WE ARE HERE]`), if any.
    here: int | None = None
    # What each tier's total line states (index -> "total"/"change"/"percent" -> bounds).
    stated: dict[int, dict[str, tuple[Decimal, Decimal]]] = field(default_factory=dict)

    def error(self, line: int, expected: str, found: str | None = None) -> None:
        message = f"line {line}: expected {expected}"
        if found is not None:
            message += f", found `{found[:80]}`"
        self.problems.append(message)

    def skip(self, line: int, expected: str, found: str | None = None) -> None:
        """A line the reader cannot use: a warning with its line, never a refusal (a team's
        document is not refused for wording a line its own way); the rest stands."""
        message = f"expected {expected}"
        if found is not None:
            message += f", found `{found[:80]}`"
        self.warn(line, f"{message}; left out")

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"line {line}: {message}")

    def rule(self, text: str, line: int, where: str, *, required: bool) -> dict[str, Any] | None:
        """The rule a text states, as plan data; None (and a warning or a pending error)."""
        self.lines[where] = line
        parsed = parse_rule_text(text, self.rules)
        if parsed is None:
            if required:
                self.missing_rules.append((where, line, text))
            else:
                self.warn(
                    line,
                    f"`{text}` names no metric and number capacity-bot can watch; "
                    "it stays a text trigger",
                )
            return None
        rule = parsed.rule
        data: dict[str, Any] = {"metric": rule.metric, "op": rule.op, "value": rule.value}
        data["for"] = format_duration(rule.for_seconds)
        return data


def size_gb(text: str) -> Decimal | None:
    """`5GB` -> 5, `2TB` -> 2000, `500MB` -> 0.5, `< 1GB` -> 1."""
    value = number(text)
    if value is None:
        return None
    unit = re.search(r"\d\s*([KMGT]B)\b", text, re.IGNORECASE)
    scale = {"KB": Decimal("0.000001"), "MB": Decimal("0.001"), "TB": Decimal(1000)}
    return value * scale.get(unit.group(1).upper(), Decimal(1)) if unit else value


def slug(title: str, taken: set[str]) -> str:
    """An id from the title's last two words: `Sudden 10x Traffic Spike` -> traffic-spike."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    base = "-".join(words[-2:]) or "scenario"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate
