"""The filled-in template as blocks: headings, `**Label**: value` lines, lists, tables.

Line-based on purpose: the template is a fixed shape of headings, bold labels, lists and
pipe tables, and every error must name its line. Where a section shows placeholders
(`[Number]`) followed by an `**Example**:` block, the later value of a label wins and
placeholder values and table rows are dropped, so the example is what is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.planio.doc_money import document_currency, figure

__all__ = [
    "Label",
    "Section",
    "Table",
    "is_placeholder",
    "money",
    "number",
    "parse_sections",
    "strip_bold",
]


@dataclass
class Table:
    line: int
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class Label:
    line: int
    name: str  # "Healthy Margin"
    extra: str  # "(5x cost coverage)" between the label and its colon, without parentheses
    value: str
    items: list[tuple[int, str]] = field(default_factory=list)  # the list right under it
    table: Table | None = None


@dataclass
class Section:
    level: int
    title: str
    line: int
    labels: list[Label] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[tuple[int, str]] = field(default_factory=list)  # list lines under no label
    fences: list[tuple[int, str, str]] = field(default_factory=list)  # (line, info, body)
    children: list[Section] = field(default_factory=list)

    def label(self, *names: str) -> Label | None:
        """The last non-placeholder label with one of these names (case-insensitive)."""
        wanted = {n.lower() for n in names}
        found = None
        for label in self.labels:
            if label.name.lower() in wanted and not (
                is_placeholder(label.value) and not label.items and label.table is None
            ):
                found = label
        return found

    def child(self, *words: str) -> Section | None:
        return next((c for c in self.children if any(w in c.title.lower() for w in words)), None)


def _heading(line: str) -> tuple[int, str] | None:
    """`## Title ##` -> (2, "Title"). String methods, not `(.*?)\\s*#*\\s*$`: that regex
    tries every split of a long run of spaces and hangs on a 100,000-character line."""
    hashes = len(line) - len(line.lstrip("#"))
    if not 1 <= hashes <= 6 or len(line) == hashes or not line[hashes].isspace():
        return None
    return hashes, line[hashes:].rstrip().rstrip("#").strip()


# The spaces before the colon belong to one quantifier only: `\s*(...)?\s*:` would try
# every split of a long run of spaces (quadratic on a line that never reaches a colon).
_LABEL = re.compile(r"^\*\*(?P<name>[^*]+?)\*\*\s*(?:\((?P<extra>[^)]*)\)\s*)?:\s*(?P<value>.*)$")
# `**Triggers:**`: the colon inside the bold, as many people write it.
_LABEL_INSIDE = re.compile(r"^\*\*(?P<name>[^*:]+):\*\*\s*(?P<value>.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_PLACEHOLDER = re.compile(r"^\[[^\]]*\]$")


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.match(text.strip()))


def strip_bold(text: str) -> str:
    return text.replace("**", "").strip()


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _is_rule(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c) and any(cells)


def parse_sections(text: str) -> Section:
    """The whole document as a tree of sections under a root (level 0)."""
    root = Section(0, "", 0)
    stack = [root]
    current_label: Label | None = None
    table: Table | None = None
    fence: tuple[int, str, list[str]] | None = None
    blank_run = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        section = stack[-1]
        if fence is not None:
            if line.strip().startswith("```"):
                section.fences.append((fence[0], fence[1], "\n".join(fence[2])))
                fence = None
            else:
                fence[2].append(raw)
            continue
        if line.strip().startswith("```"):
            fence = (number, line.strip()[3:].strip().lower(), [])
            table = None
            continue
        heading = _heading(line)
        if heading:
            level = heading[0]
            while stack[-1].level >= level:
                stack.pop()
            child = Section(level, heading[1], number)
            stack[-1].children.append(child)
            stack.append(child)
            current_label, table, blank_run = None, None, 0
            continue
        if not line.strip() or line.strip() == "---":
            blank_run += 1
            table = None
            continue
        if line.lstrip().startswith("|"):
            cells = _cells(line)
            if table is None:
                table = Table(number, cells)
                if (
                    current_label is not None
                    and current_label.table is None
                    and not (current_label.value and not is_placeholder(current_label.value))
                ):
                    current_label.table = table
                section.tables.append(table)
            elif not _is_rule(cells) and not all(is_placeholder(c) for c in cells if c):
                table.rows.append((number, cells))
            blank_run = 0
            continue
        table = None
        label = _LABEL.match(line.strip()) or _LABEL_INSIDE.match(line.strip())
        if label and not line.startswith((" ", "\t")):
            current_label = Label(
                number,
                label.group("name").strip(),
                (label.groupdict().get("extra") or "").strip(),
                label.group("value").strip(),
            )
            section.labels.append(current_label)
            blank_run = 0
            continue
        item = _ITEM.match(line)
        if item:
            if current_label is not None and blank_run == 0:
                current_label.items.append((number, item.group(1).strip()))
            else:
                section.items.append((number, item.group(1).strip()))
                current_label = None
            blank_run = 0
            continue
        blank_run = 0
    return root


_NUM = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([kKmM](?![a-zA-Z]))?")


def number(text: str) -> Decimal | None:
    """The first number in `text`: `~10,000/day` -> 10000, `1.5K` -> 1500."""
    found = _NUM.search(text)
    if found is None:
        return None
    try:
        value = Decimal(found.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    suffix = (found.group(2) or "").lower()
    return value * (1000 if suffix == "k" else 1_000_000 if suffix == "m" else 1)


def money(text: str) -> Decimal | None:
    """The first amount in the document's currency, signed: `+$20/mo` -> 20, `-$50/mo` ->
    -50, `$2,315` -> 2315, `€18/mo (~$20/mo)` -> 20 in a dollar plan; a range's low end."""
    found = figure(text, document_currency())
    return None if found is None else found.low
