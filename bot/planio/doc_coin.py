"""Triggers in a team's own words: a quantity the catalog lacks becomes a plan metric.

`Weekly signups > 400 (80% of capacity)`, `Egress > 2TB/mo`, `Queue depth > 500 jobs`: a
text with a measurable quantity, a comparison and a number is a rule. When no catalog metric
names the quantity, the words make one: its id from the quantity (`weekly_signups`,
`egress_tb`, `queue_depth`, `availability_pct`), its description the words as written, its
unit from the number (`%`, `TB`, `jobs`). The id depends only on the quantity's words, so a
reload that rewords the rest of the trigger keeps it, and pushed samples stay its own.

A quantity qualified by a part of the system (`RDS CPU`, `Droplet CPU`) is matched by its
qualifier; one whose qualifier names neither the database nor the API (`Redis CPU`) is
ambiguous: a warning, never a guess. Every pattern is a run of single character classes,
possessive where it repeats, so reading is linear in the text's length.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.qualifiers import NOISE as _NOISE
from bot.domain.rules import format_duration, parse_duration

__all__ = ["Coined", "coin_rule"]

_OP = re.compile(r"(?P<op>>=|<=|≥|≤|>|<)[ ]*+")
_AMOUNT = re.compile(
    r"(?P<dollar>\$)?+(?P<num>\d[\d,]*+(?:\.\d++)?+)(?P<scale>[kKmM](?![a-zA-Z]))?+[ ]*+"
    r"(?P<unit>%|[KMGT]B\b|ms\b|[a-z][a-z]*+)?+",
)
_WORD = re.compile(r"[a-z][a-z0-9]*+")
_FOR = re.compile(r"\bfor[ ]++(\d++(?:\.\d++)?+[ ]*+[a-z]++)", re.IGNORECASE)
_SIZES = {"kb", "mb", "gb", "tb"}


@dataclass(frozen=True)
class Coined:
    """A new plan metric and the rule on it that a text states."""

    metric: dict[str, str]  # name, description, unit
    rule: dict[str, object]  # metric, op, value


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def coin_rule(text: str) -> Coined | None:
    """The metric and rule a text states in its own words, or None when it states no
    quantity compared with a number."""
    op = _OP.search(text)
    if op is None:
        return None
    subject = [w for w in _words(text[: op.start()]) if w not in _NOISE]
    amount = _AMOUNT.match(text, op.end())
    if not subject or amount is None or len(subject) > 5:
        return None
    value = Decimal(amount["num"].replace(",", ""))
    value *= {"k": 1000, "m": 1_000_000}.get((amount["scale"] or "").lower(), 1)
    unit = (amount["unit"] or "").strip()
    if amount["dollar"]:
        unit, suffix = "$", "usd"
    elif unit == "%":
        suffix = "pct"
    elif unit.lower() in _SIZES or unit == "ms":
        suffix = unit.lower()
    else:
        # `500 jobs`: the count's own noun; `12K/mo` and `5/week` count what the words name.
        unit = unit if unit.isalpha() and unit not in ("for", "of", "in", "at") else ""
        suffix = ""
    name = "_".join(subject)
    if suffix and not name.endswith(f"_{suffix}"):
        name = f"{name}_{suffix}"
    description = " ".join(text[: op.start()].split()).strip(" :-")
    rule: dict[str, object] = {
        "metric": name,
        "op": op["op"].replace("≥", ">=").replace("≤", "<="),
        "value": value,
    }
    held = _FOR.search(text, op.end())
    if held is not None:
        # `for the month` holds no duration a rule can use: the rule holds at once.
        with suppress(ValueError):
            rule["for"] = format_duration(parse_duration(held.group(1)))

    return Coined({"name": name, "description": description, "unit": unit}, rule)
