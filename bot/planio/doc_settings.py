"""The plan settings a document states on its own lines, under its title beside
**Last Updated** (the YAML name in brackets): `**Stated figures**: computed` (stated_figures).

A value the bot does not know is refused with the line, the reason and a working example:
a setting read wrongly would change every figure export-plan writes.
"""

from __future__ import annotations

import re
from typing import Any

from bot.planio.doc_reader import Reader
from bot.planio.mdblocks import Section

__all__ = ["STATED_FIGURES", "read_settings"]

# What a team may write -> the plan's value; the first of each is what the README shows.
STATED_FIGURES = {
    "kept": "kept",
    "keep": "kept",
    "ours": "kept",
    "computed": "computed",
    "computed wins": "computed",
    "compute": "computed",
}
_EXPECTED = (
    "`**Stated figures**: computed` (the figures capacity-bot computes win: export-plan "
    "writes them in your words) or `**Stated figures**: kept` (your figures stay, with "
    "capacity-bot's note beside one that does not add up)"
)


def read_settings(root: Section, reader: Reader) -> dict[str, Any]:
    """The settings the title's section (or the text before any heading) states."""
    data: dict[str, Any] = {}
    top = root.children[0] if root.children and root.children[0].level == 1 else root
    for section in [root] if top is root else [root, top]:
        label = section.label("Stated figures", "Stated figures win")
        if label is None:
            continue
        # `computed (the sums are right, our lines were rough)`: the words before a note.
        said = re.sub(r"\s*\(.*$", "", label.value).strip().strip(".").lower()
        value = STATED_FIGURES.get(said)
        if value is None:
            reader.error(label.line, _EXPECTED, label.value)
            continue
        data["stated_figures"] = value
        reader.lines["stated_figures"] = label.line
    return data
