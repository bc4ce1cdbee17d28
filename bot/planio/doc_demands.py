"""What a team's document must give and what it may leave to people: a document is
refused only when nothing can be served (no cost, no tier to grow into); a trigger or
threshold that names nothing measurable stays the team's text, with a warning."""

from __future__ import annotations

from typing import Any

from bot.planio.doc_reader import Reader

__all__ = ["check_rules", "servable"]


def servable(data: dict[str, Any], reader: Reader) -> None:
    """The two things a plan cannot do without: a cost, and a tier to grow into."""
    if "budget" not in data["baseline"] and not reader.problems:
        reader.error(
            1,
            "a cost to serve: `**Budget**: $40/mo total` under `## Current Scale`, or a "
            "`## Tiers` section whose `### Tier 0` lists its **Costs**",
        )
    if not data["tiers"]:
        reader.error(
            1,
            "at least one tier to grow into: `### Tier 1: NAME (100 → 1,000 users)` under "
            "`## Growth Projections`, or `### Tier 1: NAME (500 teams)` under `## Tiers`",
        )


def check_rules(data: dict[str, Any], reader: Reader) -> None:
    """A trigger or threshold whose words name nothing the bot can measure (and that the
    appendix gave no rule) stays the team's text, watched by people: a warning, not a
    refusal. Rows without a rule leave the lists of rules."""
    unread = {
        where.removesuffix(".rule"): (line, text) for where, line, text in reader.missing_rules
    }
    auto = data.get("auto_scaling") or {}
    for name, rows in (
        ("scaling_triggers", data.get("scaling_triggers")),
        ("thresholds", data.get("thresholds")),
        ("auto_scaling.rules", auto.get("rules") if isinstance(auto, dict) else None),
    ):
        if not isinstance(rows, list):
            continue
        for index, row in enumerate(rows):
            if isinstance(row, dict) and row.get("rule") is None:
                line, text = unread.get(f"{name}[{index}]", (0, str(row.get("text", ""))))
                reader.warn(
                    line,
                    f"`{text[:80]}` names no metric and number capacity-bot can watch; it "
                    "stays text, watched by people (give it a rule in the appendix to watch it)",
                )
        rows[:] = [r for r in rows if not (isinstance(r, dict) and r.get("rule") is None)]
