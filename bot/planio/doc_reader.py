"""Shared state of one document read: problems, warnings, where things came from, rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.qualifiers import qualified
from bot.domain.rule_text import RuleContext, parse_rule_text
from bot.domain.rules import format_duration
from bot.planio.doc_coin import coin_rule
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
    # Metrics the document's own words made (name -> name, description, unit).
    coined: dict[str, dict[str, str]] = field(default_factory=dict)
    # PromQL a `Query` column gives a metric (name -> query).
    queries: dict[str, str] = field(default_factory=dict)
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
        """The rule a text states, as plan data; None (and a warning or a pending error).

        A quantity the catalog lacks becomes a new plan metric (`coined`); a generic one
        whose qualifier names no known part (`Redis CPU`) is ambiguous and stays text."""
        self.lines[where] = line
        subject, _op, _rest = _split(text)
        reading, unknown = qualified(subject)
        if unknown is not None:
            self.warn(
                line,
                f"`{text[:80]}`: `{unknown}` is neither the database nor the API, so which "
                "metric it means is ambiguous; it stays text (name the metric in the appendix)",
            )
            return None
        parsed = parse_rule_text(text, self.rules)
        if parsed is None and not self._names_catalog(reading):
            coined = coin_rule(text)
            if coined is not None:
                name = str(coined.metric["name"])
                self.coined.setdefault(name, coined.metric)
                self.lines.setdefault(f"metric:{name}", line)
                value = float(Decimal(str(coined.rule["value"])))
                held = coined.rule.get("for", "0s")
                return {"metric": name, "op": coined.rule["op"], "value": value, "for": held}
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

    def _names_catalog(self, subject: str) -> bool:
        """Whether a catalog metric's words name the quantity (then it is no new metric)."""
        lowered = " " + " ".join(re.findall(r"[a-z0-9%$]+", subject.lower())) + " "
        return any(
            f" {word} " in lowered for _unit, words in self.rules.metrics.values() for word in words
        )


def _split(text: str) -> tuple[str, str, str]:
    """`Droplet CPU > 75%` -> (`Droplet CPU`, ` > `, `75%`); the whole text as subject
    when it holds no comparison sign."""
    found = re.search(r"[<>≥≤]=?", text)
    if found is None:
        return text, "", ""
    return text[: found.start()], f" {found.group(0)} ", text[found.end() :]


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
