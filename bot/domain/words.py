"""English plurals for the plan's units where the document gives none ("16 companies",
not "16 companys"). Pure."""

from __future__ import annotations

import re

__all__ = ["plural"]

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "index": "indices",
    "appendix": "appendices",
    "matrix": "matrices",
    "criterion": "criteria",
    "datum": "data",
    "medium": "media",
    "mouse": "mice",
    "tooth": "teeth",
    "foot": "feet",
}
# Nouns whose plural is the noun itself.
_SAME = frozenset({"series", "species", "sheep", "fish", "staff", "data", "media", "people"})


def _one(word: str) -> str:
    low = word.lower()
    if low in _SAME:
        return word
    if low in _IRREGULAR:
        found = _IRREGULAR[low]
        return found.capitalize() if word[:1].isupper() else found
    if re.search(r"[^aeiou]y$", low):
        return word[:-1] + "ies"  # company -> companies
    if low.endswith("is") and len(low) > 3:
        return word[:-2] + "es"  # analysis -> analyses
    if re.search(r"(s|x|z|ch|sh)$", low):
        return word + "es"  # class -> classes
    return word + "s"


def plural(noun: str) -> str:
    """`company` -> `companies`, `class` -> `classes`, `person` -> `people`, `index` ->
    `indices`, `analysis` -> `analyses`; in a phrase, the last word (`paying company`)."""
    head, _, last = noun.rstrip().rpartition(" ")
    if not last:
        return noun
    return f"{head} {_one(last)}" if head else _one(last)
