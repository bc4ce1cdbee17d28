"""Reply -> Slack Block Kit. Pure, and the only module that knows Block Kit.

Whatever a plan holds (300-character names, 40 line items a tier), the output stays within
Slack's limits: at most 50 blocks in a message and 100 in a view, one `table` block per
message (none in views), 3000 characters a section, 10 fields a section, 150 characters a
header, 10 context elements, 25 buttons of at most 75 characters. What does not fit is cut
and the last block says so and where to read the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Literal

from bot.domain.values import Person, Piece, Prose, shown
from bot.render.text import cell_text, plain, render_text, table_lines
from bot.reply import Action, Code, Facts, Moment, Part, Reply, Section, Table, Text, Value

__all__ = [
    "MAX_BLOCKS",
    "SHARE_ACTION_ID",
    "escape",
    "mention",
    "mrkdwn",
    "render_blocks",
    "render_home",
    "render_message",
    "render_modal",
    "slack_date",
    "value_mrkdwn",
]

Surface = Literal["message", "modal", "home"]
Block = dict[str, Any]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
HEADER_MAX = 150
CONTEXT_MAX = 10
BUTTONS_MAX = 25
BUTTON_LABEL_MAX = 75
BUTTON_VALUE_MAX = 2000
TABLE_ROWS_MAX = 100
TABLE_CELLS_MAX = 20
TABLE_CELL_MAX = 1000
MODAL_TITLE_MAX = 24
# The plain `text` fallback shows in notifications and old clients; keep it readable.
FALLBACK_MAX = 3000

SHARE_ACTION_ID = "capacity_share"

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MARK = re.compile("\x00([0-9]+)\x00")
# Slack's user ids (`U024BE7LH`, Enterprise Grid's `W…`): only these make a mention; anything
# else (the shell's `terminal`) would read `<@terminal>` raw.
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def escape(text: str) -> str:
    """Slack's three control characters, escaped as its docs require."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Reply markup -> Slack mrkdwn: escape `&<>`, then `**bold**` -> `*bold*`; the moments
    inside a Prose sentence in Slack's date formatting, its people as mentions."""
    if not isinstance(text, Prose) or not any(isinstance(p, (Moment, Person)) for p in text.pieces):
        return _BOLD.sub(r"*\1*", escape(text))
    # Placeholders first, so a `**bold**` around a moment still pairs up and the date
    # token's own characters are never escaped.
    tokens: list[str] = []
    marked: list[str] = []
    for piece in text.pieces:
        if isinstance(piece, (Moment, Person)):
            marked.append(f"\x00{len(tokens)}\x00")
            tokens.append(slack_date(piece) if isinstance(piece, Moment) else mention(piece))
        else:
            marked.append(escape(shown(piece).replace("\x00", "")))
    bolded = _BOLD.sub(r"*\1*", "".join(marked))
    return _MARK.sub(lambda m: tokens[int(m[1])], bolded)


def mention(person: Person) -> str:
    """`<@U123>` (Slack shows the name) for a Slack user id; anyone else as escaped text."""
    if _USER_ID.fullmatch(person.id):
        return f"<@{person.id}>"
    return escape(shown(person))


def slack_date(moment: Moment) -> str:
    """A moment in each reader's own zone (Slack's date formatting); the text after `|` is
    for clients that cannot, in the team's zone."""
    fallback = escape(cell_text(moment)).replace("|", "/")
    return f"<!date^{int(moment.at.timestamp())}^{_date_tokens(moment)}|{fallback}>"


def _date_tokens(moment: Moment) -> str:
    if moment.style in ("day", "time"):
        return "{date_short_pretty}" if moment.style == "day" else "{time}"
    return "{date_short_pretty} {time}"


def value_mrkdwn(value: Value) -> str:
    """A fact's value as mrkdwn: a Moment with Slack's date formatting, the rest as text."""
    if isinstance(value, Moment):
        return slack_date(value)
    if isinstance(value, Person):
        return mention(value)
    return mrkdwn(value) if isinstance(value, Prose) else mrkdwn(cell_text(value))


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut, never inside `&amp;`."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    amp = text.rfind("&", max(0, cut - 5), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    return text[:cut] + "…"


def _split(text: str, limit: int) -> list[str]:
    """Split escaped mrkdwn into pieces of at most `limit`: at a newline, a space, or hard."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
            amp = text.rfind("&", cut - 5, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text or not pieces:
        pieces.append(text)
    return pieces


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _sections(text: str, limit: int = SECTION_MAX) -> list[Block]:
    return [_section(piece) for piece in _split(text, limit)]


def _code_sections(lines: Iterable[str], limit: int = SECTION_MAX) -> list[Block]:
    """Aligned monospace inside ``` fences, split at line boundaries to fit `limit`."""
    room = limit - 8  # the fences and their newlines
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    for raw in lines:
        line = _cut(escape(raw), room)
        if chunk and size + len(line) + 1 > room:
            blocks.append(_section("```\n" + "\n".join(chunk) + "\n```"))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(_section("```\n" + "\n".join(chunk) + "\n```"))
    return blocks


def _table_fits(table: Table) -> bool:
    return (
        0 < len(table.columns) <= TABLE_CELLS_MAX
        and len(table.rows) + 1 <= TABLE_ROWS_MAX
        and all(len(row) <= TABLE_CELLS_MAX for row in table.rows)
    )


def _date_element(moment: Moment) -> Block:
    return {
        "type": "date",
        "timestamp": int(moment.at.timestamp()),
        "format": _date_tokens(moment),
        "fallback": cell_text(moment),
    }


def _rich(piece: Piece) -> Block:
    if isinstance(piece, Moment):
        return _date_element(piece)
    if isinstance(piece, Person) and _USER_ID.fullmatch(piece.id):
        return {"type": "user", "user_id": piece.id}
    return {"type": "text", "text": shown(piece)}


def _cell(value: Value) -> Block:
    """A table cell: raw text, or rich text when it holds a moment (each reader's zone) or
    a person (a mention)."""
    pieces = value.pieces if isinstance(value, Prose) else (value,)
    if not any(isinstance(p, (Moment, Person)) for p in pieces):
        return {"type": "raw_text", "text": _cut(cell_text(value), TABLE_CELL_MAX) or "–"}
    elements = [_rich(p) for p in pieces if isinstance(p, Moment) or shown(p)]
    section = {"type": "rich_text_section", "elements": elements}
    return {"type": "rich_text", "elements": [section]}


def _table_block(table: Table) -> Block:
    count = len(table.columns)

    def cells(row: tuple[Value, ...]) -> list[Block]:
        padded = [*row, *([""] * (count - len(row)))][:count]
        return [_cell(c) for c in padded]

    numeric = table.numeric or (False,) * count
    settings = [
        {"align": "right"} if i < len(numeric) and numeric[i] else {"is_wrapped": True}
        for i in range(count)
    ]
    return {
        "type": "table",
        "rows": [cells(table.columns), *(cells(r) for r in table.rows)],
        "column_settings": settings,
    }


def _facts(facts: Facts) -> list[Block]:
    fields = [
        {
            "type": "mrkdwn",
            "text": _cut(f"*{escape(plain(label))}*\n{value_mrkdwn(value)}", FIELD_MAX),
        }
        for label, value in facts.pairs
    ]
    return [
        {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def _list(section: Section) -> list[Block]:
    items = [
        f"{n}. {mrkdwn(item)}" if section.numbered else f"• {mrkdwn(item)}"
        for n, item in enumerate(section.items, start=1)
    ]
    text = "\n".join([f"*{escape(plain(section.heading))}*", *items])
    return _sections(text)


def _part(part: Part, surface: Surface, table_used: bool) -> tuple[list[Block], bool]:
    """The blocks for one part, and whether it used the message's one table block."""
    if isinstance(part, Text):
        return _sections(mrkdwn(part.text)), False
    if isinstance(part, Facts):
        return _facts(part), False
    if isinstance(part, Section):
        return _list(part), False
    if isinstance(part, Code):
        head = [_section(_cut(f"*{escape(plain(part.title))}*", SECTION_MAX))] if part.title else []
        # A fence inside the text would end Slack's monospace block early.
        lines = [line.replace("```", "`\u200b`\u200b`") for line in part.lines] or [""]
        return [*head, *_code_sections(lines)], False
    if isinstance(part, Table):
        head = [_section(_cut(f"*{escape(plain(part.title))}*", SECTION_MAX))] if part.title else []
        if surface == "message" and not table_used and _table_fits(part):
            return [*head, _table_block(part)], True
        return [*head, *_code_sections(table_lines(part))], False
    raise TypeError(part)


def _buttons(actions: tuple[Action, ...]) -> list[Block]:
    elements = []
    seen: set[str] = set()
    for action in actions[:BUTTONS_MAX]:
        action_id = action.action_id
        n = 1
        while action_id in seen:  # Slack wants action ids unique within a message
            n += 1
            action_id = f"{action.action_id}_{n}"
        seen.add(action_id)
        button: Block = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": _cut(plain(action.label), BUTTON_LABEL_MAX)},
        }
        if action.value:
            button["value"] = action.value[:BUTTON_VALUE_MAX]
        if action.style:
            button["style"] = action.style
        elements.append(button)
    return [{"type": "actions", "elements": elements}] if elements else []


def _context(notes: Iterable[str]) -> list[Block]:
    texts = [_cut(mrkdwn(note), SECTION_MAX) for note in notes if note]
    if len(texts) > CONTEXT_MAX:
        texts = [*texts[: CONTEXT_MAX - 1], _cut("\n".join(texts[CONTEXT_MAX - 1 :]), SECTION_MAX)]
    if not texts:
        return []
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}]


def _header(reply: Reply) -> Block:
    title = plain(reply.title).strip() or "capacity-bot"
    if reply.error:
        title = "⚠️ " + title
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(title, HEADER_MAX)}}


def render_blocks(reply: Reply, surface: Surface = "message", *, command: str = "") -> list[Block]:
    """The blocks for `reply` on `surface`, always within that surface's limits."""
    budget = MAX_BLOCKS[surface]
    body: list[Block] = []
    table_used = False
    for part in reply.parts:
        blocks, used = _part(part, surface, table_used)
        table_used = table_used or used
        body.extend(blocks)
    tail = _buttons(reply.actions)
    notes = list(reply.notes)
    # Header, body, the notes' context block and the actions: cut the body if over budget.
    room = budget - 1 - len(tail) - 1
    if len(body) > room:
        hidden = len(body) - room
        where = f"`capacity-bot ask {command}`" if command else "`capacity-bot shell`"
        notes.insert(0, f"… {hidden} more blocks not shown here; see the shell: {where}")
        body = body[:room]
    blocks = [_header(reply), *body, *_context(notes), *tail]
    for i, block in enumerate(blocks):
        block["block_id"] = f"b{i}"
    return blocks


def fallback_text(reply: Reply) -> str:
    """The plain `text` beside the blocks (notifications, screen readers): render_text, cut."""
    return _cut(escape(render_text(reply, slack=True).rstrip()), FALLBACK_MAX)


def with_share(reply: Reply, command: str) -> Reply:
    """Add the "Share in channel" button; its value carries the command to re-run."""
    if reply.error or len(command) > BUTTON_VALUE_MAX:
        return reply
    share = Action(SHARE_ACTION_ID, "Share in channel", value=command or "help")
    return replace(reply, actions=(*reply.actions, share))


def render_message(reply: Reply, *, command: str = "", share: bool = False) -> dict[str, Any]:
    """`{"text": ..., "blocks": [...]}` for chat.postMessage, respond() or an ack body."""
    if share:
        reply = with_share(reply, command)
    return {
        "text": fallback_text(reply),
        "blocks": render_blocks(reply, "message", command=command),
    }


def render_home(reply: Reply) -> dict[str, Any]:
    """A Home tab view (views.publish)."""
    return {"type": "home", "blocks": render_blocks(reply, "home")}


def render_modal(
    reply: Reply, *, title: str, callback_id: str = "", private_metadata: str = ""
) -> dict[str, Any]:
    """A read-only modal showing `reply` (views.open / views.update)."""
    view: dict[str, Any] = {
        "type": "modal",
        "title": {"type": "plain_text", "text": _cut(plain(title), MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": render_blocks(reply, "modal"),
    }
    if callback_id:
        view["callback_id"] = callback_id
    if private_metadata:
        view["private_metadata"] = private_metadata[:3000]
    return view
