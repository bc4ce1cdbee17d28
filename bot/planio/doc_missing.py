"""The template's shape for a section the team's document lacks and the plan has.

A plan that came from a document can gain a section the document never had (targets or
scenarios given in a YAML patch, a formula added later): export writes that section in the
template's words at the end of the team's document, where the importer finds it, rather
than as YAML. A section the document has, in any wording, is never written twice.
"""

from __future__ import annotations

from typing import Any

from bot.domain.plan import Plan
from bot.planio.doc_write import Live, export_document

__all__ = ["missing_sections"]

# The template's heading -> the plan fields its section holds.
_PLACES = {
    "## Resource Estimates": ("formulas",),
    "## Performance Targets by Tier": ("targets",),
    "## Scaling Triggers": ("scaling_triggers",),
    "## Disaster Scenarios": ("scenarios",),
    "## Optimization Opportunities": ("optimizations",),
    "## Breaking Points": ("breaking_points",),
}


def _chunks(text: str) -> dict[str, list[str]]:
    """The template document's `##` sections, each without its closing rule."""
    chunks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = chunks.setdefault(line.rstrip(), [])
        if current is not None:
            current.append(line)
    for chunk in chunks.values():
        while chunk and chunk[-1].strip() in ("", "---"):
            chunk.pop()
    return chunks


def missing_sections(
    plan: Plan, read: dict[str, Any], patch: dict[str, Any], source: list[str]
) -> list[str]:
    """Lines to add at the end of the document: each template section whose fields the
    appendix would otherwise carry, the document having none of them."""
    wanted = [
        heading
        for heading, fields in _PLACES.items()
        if any(f in patch for f in fields)
        and not any(read.get(f) for f in fields)
        and not any(line.strip().lower() == heading.lower() for line in source)
    ]
    if not wanted:
        return []
    chunks = _chunks(export_document(plan, Live()))
    out: list[str] = []
    for heading in wanted:
        if chunks.get(heading):
            out += ["", "---", "", *chunks[heading]]
    return out
