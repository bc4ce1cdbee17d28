"""The team's own sections written back where they sat: after the part of the plan they
followed, or inside their tier (a labelled block as it was, a nested section one level
under the tier's heading)."""

from __future__ import annotations

from bot.domain.plan import DocSection, Plan

__all__ = ["kept_after", "kept_in_tier"]


def _lines(section: DocSection, level: int) -> list[str]:
    head = [f"{'#' * level} {section.title}", ""] if section.level else []
    return ["", *head, *section.text.splitlines()]


def kept_after(plan: Plan, anchor: str) -> list[str]:
    lines: list[str] = []
    for section in plan.sections:
        if section.after == anchor and section.tier is None:
            lines += _lines(section, section.level)
    return [*lines[1:], "", "---", ""] if lines else []


def kept_in_tier(plan: Plan, number: int) -> list[str]:
    lines: list[str] = []
    for section in plan.sections:
        if section.tier == number:
            lines += _lines(section, max(section.level, 4))
    return lines
