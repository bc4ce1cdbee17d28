"""Which section of a team's document is which, and what is left over.

Each reader asks for its section by the words its title uses; the layout remembers what
was asked for, so every section no reader took is kept as the team's own text, anchored
after the part of the plan it followed (export puts it back there).
"""

from __future__ import annotations

import re
from typing import Any

from bot.planio.doc_keep import Outline, kept_section
from bot.planio.mdblocks import Section

__all__ = ["ANCHORS", "Layout"]

# The parts of the plan in the order the writer writes them; kept text follows one of them.
ANCHORS = (
    "start",
    "baseline",
    "tiers",
    "formulas",
    "cost_model",
    "targets",
    "scaling",
    "ops",
    "monitoring",
)


def _top(root: Section) -> list[Section]:
    """The document's sections: the `##` ones (under the `#` title or at the top)."""
    top = [c for c in root.children if c.level == 1]
    return [c for t in top for c in t.children] + [c for c in root.children if c.level == 2]


class Layout:
    def __init__(self, text: str, root: Section) -> None:
        self.sections = _top(root)
        self.outline = Outline(text, root)
        self.picked: dict[int, str] = {}

    def pick(self, anchor: str, *words: str) -> Section | None:
        """The first section whose title holds one of `words`, not already taken."""
        for section in self.sections:
            title = section.title.lower()
            if id(section) not in self.picked and any(w in title for w in words):
                self.picked[id(section)] = anchor
                return section
        return None

    def pick_exact(self, anchor: str, pattern: str) -> Section | None:
        """The first section whose whole title matches `pattern` (case-insensitive)."""
        for section in self.sections:
            if id(section) not in self.picked and re.fullmatch(pattern, section.title, re.I):
                self.picked[id(section)] = anchor
                return section
        return None

    def take(self, section: Section, anchor: str) -> None:
        self.picked[id(section)] = anchor

    def unread_children(
        self, section: Section | None, anchor: str, read: tuple[str, ...]
    ) -> list[tuple[int, dict[str, Any]]]:
        """The subsections of a section a reader took whose titles it does not read
        (`### Bandwidth` under Resource Estimates): kept after that section."""
        return [
            (child.line, kept_section(self.outline, child, anchor))
            for child in (section.children if section else [])
            if not any(word in child.title.lower() for word in read)
        ]

    def kept(self) -> list[tuple[int, dict[str, Any]]]:
        """(line, section data) for every section no reader took, in document order."""
        out: list[tuple[int, dict[str, Any]]] = []
        after = "start"
        for section in sorted(self.sections, key=lambda s: s.line):
            anchor = self.picked.get(id(section))
            if anchor is not None:
                after = anchor
                continue
            out.append((section.line, kept_section(self.outline, section, after)))
        return out
