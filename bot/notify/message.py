"""Reply -> Block Kit for alert messages. The only notify module that knows Block Kit.

`bot/render/blocks.py` (the Slack app's renderer) may replace this once it exists; alert
messages need little: a header line, one section per alert, a context line of notes.
"""

from __future__ import annotations

import re
from typing import Any

from bot.reply import Facts, Reply, Section, Table, Text

__all__ = ["MAX_BLOCKS", "MAX_SECTION", "fallback_text", "to_blocks"]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_TEXT = 3500  # the top-level `text` fallback, kept well under Slack's 40,000 cut

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _mrkdwn(text: str) -> str:
    return _BOLD.sub(r"*\1*", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _part_text(part: Text | Facts | Table | Section) -> str:
    if isinstance(part, Text):
        return part.text
    if isinstance(part, Facts):
        return "\n".join(f"**{label}:** {value}" for label, value in part.pairs)
    if isinstance(part, Section):
        lines = [f"{n}. {i}" if part.numbered else f"• {i}" for n, i in enumerate(part.items, 1)]
        return "\n".join([f"**{part.heading}**", *lines])
    return "\n".join(" | ".join(row) for row in (part.columns, *part.rows))


def _section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _clip(_mrkdwn(text), MAX_SECTION)},
    }


def to_blocks(reply: Reply) -> list[dict[str, Any]]:
    """At most 50 blocks; each section at most 3,000 characters; overflow is summarised."""
    blocks: list[dict[str, Any]] = [_section(f"**{reply.title}**")]
    texts = [_part_text(p) for p in reply.parts]
    room = MAX_BLOCKS - 1 - (1 if reply.notes else 0)
    if len(texts) > room:
        shown, rest = texts[: room - 1], texts[room - 1 :]
        texts = [*shown, f"…and {len(rest)} more: " + "; ".join(t.split("\n")[0] for t in rest)]
    blocks += [_section(t) for t in texts]
    if reply.notes:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": _clip(_mrkdwn(n), MAX_SECTION)}
                    for n in reply.notes[:10]
                ],
            }
        )
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification/fallback text: title and every part, plain."""
    lines = [reply.title, *(_part_text(p) for p in reply.parts)]
    return _clip(_BOLD.sub(r"\1", "\n".join(lines)), MAX_TEXT)
