"""The parts of a team's document the plan has no place for, kept as the team wrote them.

A section nobody reads (Bandwidth, a checklist, a code block) and a labelled block inside a
tier that no field holds (`**Characteristics**:`) become `DocSection`s: their Markdown
word for word, the part of the plan they followed (so export puts them back there) and
the tier they sit under (so `tier N` shows them).
"""

from __future__ import annotations

from typing import Any

from bot.planio.mdblocks import Label, Section

__all__ = ["Outline", "kept_label", "kept_section"]


class Outline:
    """Where each section of the document ends, from the raw lines and the heading tree."""

    def __init__(self, text: str, root: Section) -> None:
        self.lines = text.splitlines()
        heads: list[tuple[int, int]] = []
        stack = [root]
        while stack:
            section = stack.pop()
            if section.level:
                heads.append((section.line, section.level))
            stack.extend(section.children)
        self.heads = sorted(heads)

    def end(self, section: Section) -> int:
        """The last line (1-based) inside `section`, nested sections included."""
        for line, level in self.heads:
            if line > section.line and level <= section.level:
                return line - 1
        return len(self.lines)

    def body(self, first: int, last: int) -> str:
        """Lines `first`..`last` (1-based, inclusive) without the blank lines and `---`
        rules around them."""
        chunk = self.lines[first - 1 : last]
        while chunk and chunk[-1].strip() in ("", "---"):
            chunk.pop()
        while chunk and not chunk[0].strip():
            chunk.pop(0)
        return "\n".join(chunk)


def kept_section(
    outline: Outline, section: Section, after: str, tier: int | None = None
) -> dict[str, Any]:
    """A whole section (heading level, title, everything under its heading)."""
    data: dict[str, Any] = {
        "title": section.title,
        "level": section.level,
        "text": outline.body(section.line + 1, outline.end(section)),
        "after": after,
    }
    if tier is not None:
        data["tier"] = tier
    return data


def kept_label(
    outline: Outline, section: Section, label: Label, after: str, tier: int | None
) -> dict[str, Any]:
    """A `**Label**:` block inside a section: the label line and what follows it up to the
    next label or heading."""
    later = [other.line for other in section.labels if other.line > label.line]
    later += [child.line for child in section.children if child.line > label.line]
    last = min(later) - 1 if later else outline.end(section)
    data: dict[str, Any] = {
        "title": label.name,
        "level": 0,
        "text": outline.body(label.line, last),
        "after": after,
    }
    if tier is not None:
        data["tier"] = tier
    return data
