"""What a plan grows in, from the team's own words: readers, workspaces, orders, seats.

The tier headings name it (`(2K → 20K monthly readers)`, `(40 → 200+ workspaces)`,
`(50 teams)`), the pricing line gives its singular (`$39/mo per workspace`). Every pattern
is a run of single character classes, possessive where it repeats, so it reads in one pass.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["growth_start", "growth_unit"]

# `### Tier 1: Name (2K → 20K monthly readers)`: the words after the heading's last number.
_HEADING = re.compile(r"#{2,6}[ ]*+tier[ ]*+\d++[^(\n]*+\((?P<inside>[^)\n]*+)\)", re.I)
_NOUN = re.compile(r"\d[\d,.]*+[kKmM]?+\+?+[ ]++(?P<words>[A-Za-z][A-Za-z /-]*+)$")
_PER = re.compile(r"\bper[ ]++(?P<words>[A-Za-z][A-Za-z -]*+)", re.I)


def _plural(words: str) -> str | None:
    """`monthly readers` -> `readers`, `orders/month` -> `orders`."""
    noun = words.split("/")[0].split()
    return noun[-1].lower() if noun else None


def growth_unit(lines: list[str], pricing: str = "") -> dict[str, str]:
    """`{"growth_unit": "reader", "growth_units": "readers"}`, or nothing for users (the
    plan's default) or when the headings name no unit."""
    counted: Counter[str] = Counter()
    for line in lines:
        heading = _HEADING.match(line.strip())
        if heading is None:
            continue
        noun = _NOUN.search(heading["inside"].strip())
        plural = _plural(noun["words"]) if noun else None
        if plural:
            counted[plural] += 1
    if not counted:
        return {}
    plural = counted.most_common(1)[0][0]
    if plural in ("users", "user"):
        return {}
    singular = plural[:-1] if plural.endswith("s") else plural
    per = _PER.search(pricing)
    if per is not None:
        word = per["words"].split()[-1].lower() if per["words"].split() else ""
        if word and plural.startswith(word):
            singular = word
    fields = {"growth_unit": singular}
    if plural != f"{singular}s":
        fields["growth_units"] = plural
    return fields


_START = re.compile(r"(?P<start>\d[\d,.]*+[kKmM]?+)[ ]*+(?:→|->)")


def growth_start(lines: list[str]) -> str | None:
    """`2,000` of the first tier heading `(2,000 → 20,000 orders/month)`: where the tiers
    count from, in the plan's unit."""
    for line in lines:
        heading = _HEADING.match(line.strip())
        if heading is not None:
            start = _START.search(heading["inside"])
            return start["start"] if start else None
    return None
