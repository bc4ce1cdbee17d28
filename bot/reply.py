"""What a command answers, as data. Renderers turn it into Block Kit or plain text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.domain.values import Moment, Money, Person, Prose, Quantity, Typed, Value

__all__ = [
    "Action",
    "Code",
    "Effect",
    "Facts",
    "Moment",
    "Money",
    "Part",
    "Person",
    "Prose",
    "Quantity",
    "Reply",
    "Section",
    "Table",
    "Text",
    "Typed",
    "Value",
]


@dataclass(frozen=True)
class Text:
    """A paragraph. `**bold**` and `code` marks are allowed; renderers translate them. A
    `Prose` text carries moments: each renderer shows them for its medium."""

    text: str


@dataclass(frozen=True)
class Facts:
    """Label/value pairs, shown side by side where the medium allows."""

    pairs: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    # Cells may be typed (Money, Quantity, Moment): each renderer formats them.
    rows: tuple[tuple[Value, ...], ...]
    title: str = ""
    # Columns of figures read better right-aligned: one flag per column.
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Code:
    """Lines shown exactly as written, in monospace: a document's own text, lines to add."""

    lines: tuple[str, ...]
    title: str = ""


Part = Text | Facts | Table | Section | Code


@dataclass(frozen=True)
class Action:
    action_id: str
    label: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None


class Effect:
    """Something a front end should do besides showing the reply (open the log form, upload
    an export); the commands that ask for one define its subclasses."""


@dataclass(frozen=True)
class Reply:
    title: str
    parts: tuple[Part, ...] = ()
    notes: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    error: bool = False
    effect: Effect | None = None
    # Extra data a front end may need (e.g. paging cursor); never shown as such.
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line for notifications and fallbacks: the title and first paragraph."""
        for part in self.parts:
            if isinstance(part, Text):
                return f"{self.title}: {part.text}"
        return self.title
