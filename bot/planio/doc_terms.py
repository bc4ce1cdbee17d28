"""A plan location as the document says it: `tiers[1].stated_total` is "line 75: Tier 2
stated_total" (the YAML path means nothing to someone who wrote Markdown)."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["in_document_terms", "line_for"]

_TIER = re.compile(r"\btiers\[(\d+)\](\.)?")
_LOCATION = re.compile(r"[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*")


def line_for(lines: Mapping[str, int], location: str) -> int:
    """The line of the longest known location that `location` lies inside."""
    inside = [k for k in lines if location == k or location.startswith((f"{k}.", f"{k}["))]
    return lines[max(inside, key=len)] if inside else 0


def in_document_terms(message: str, lines: Mapping[str, int]) -> str:
    """`location: text` with the line the document gave it and tiers named "Tier N" (the
    plan model's tiers[0] is the document's Tier 1, the baseline its Tier 0)."""
    location, colon, rest = message.partition(":")
    if not colon or not _LOCATION.fullmatch(location):
        return message  # already located ("line 128: ...") or no location at all
    line = line_for(lines, location)
    named = _TIER.sub(lambda m: f"Tier {int(m[1]) + 1}{' ' if m[2] else ''}", location)
    return f"line {line}: {named}:{rest}" if line else f"{named}:{rest}"
