"""A pure validator of Slack Block Kit limits.

Errors are human strings in the style Slack uses in ``invalid_blocks`` answers:
``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``.

The validator is deliberately stricter than "anything goes" and a little stricter
than Slack where Slack's rules are fuzzy (input blocks only in modals), so that a
payload which passes here is one Slack would accept.
"""

from __future__ import annotations

import re
from typing import Any

SURFACES = ("message", "modal", "home")

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}

TEXT_TYPES = ("plain_text", "mrkdwn")
# Slack's date formatting: `<!date^UNIX^FORMAT|fallback>` or `<!date^UNIX^FORMAT^LINK|fallback>`;
# the format takes {date_num}, {date}, {date_short}, {date_long}, {date_pretty},
# {date_short_pretty}, {date_long_pretty}, {time}, {time_secs}, {ago} and literal text.
DATE_TOKEN = re.compile(
    r"<!date\^(?P<ts>[0-9]{1,11})\^(?P<fmt>[^^|>]+)(?:\^(?P<link>[^|>]+))?\|(?P<fb>[^>]+)>"
)
DATE_WORDS = re.compile(r"\{([a-z_]+)\}")
DATE_KEYS = frozenset(
    [
        "date_num",
        "date",
        "date_short",
        "date_long",
        "date_pretty",
        "date_short_pretty",
        "date_long_pretty",
        "time",
        "time_secs",
        "ago",
    ]
)


def bad_date_tokens(text: str) -> list[str]:
    """Every `<!date...>` in `text` that Slack would not format (shown raw to readers)."""
    bad = []
    for start in (m.start() for m in re.finditer(r"<!date", text)):
        found = DATE_TOKEN.match(text, start)
        words = DATE_WORDS.findall(found["fmt"]) if found else []
        if not found or not words or not set(words) <= DATE_KEYS:
            bad.append(text[start : text.find(">", start) + 1 or len(text)])
    return bad


BLOCK_TYPES = (
    "section",
    "divider",
    "header",
    "context",
    "actions",
    "input",
    "image",
    "rich_text",
    "table",
    "markdown",
    "file",
    "video",
)

# Interactive / display elements accepted inside actions, section accessories and inputs.
ELEMENT_TYPES = (
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "image",
    "overflow",
    "radio_buttons",
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "workflow_button",
)

INPUT_ELEMENT_TYPES = (
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "radio_buttons",
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
)

SELECT_TYPES = ("static_select", "multi_static_select")


def _ptr(pointer: str) -> str:
    return f"[json-pointer:{pointer}]"


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} {_ptr(pointer)}")

    # -- primitives -------------------------------------------------------------------------

    def string(
        self,
        value: Any,
        pointer: str,
        *,
        max_len: int,
        min_len: int = 0,
        required: bool = False,
    ) -> None:
        if value is None:
            if required:
                self.err("missing required field", pointer)
            return
        if not isinstance(value, str):
            self.err("must be a string", pointer)
            return
        if len(value) > max_len:
            self.err(f"must be less than {max_len + 1} characters", pointer)
        if len(value) < min_len:
            self.err(f"must be more than {min_len - 1} characters", pointer)

    def text_object(
        self,
        obj: Any,
        pointer: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.err("missing required field", pointer)
            return
        if not isinstance(obj, dict):
            self.err("must be an object", pointer)
            return
        kind = obj.get("type")
        if plain_only and kind != "plain_text":
            self.err("must be a plain_text text object", f"{pointer}/type")
        elif kind not in TEXT_TYPES:
            self.err(
                f"value must be one of {', '.join(TEXT_TYPES)}; got {kind!r}", f"{pointer}/type"
            )
        self.string(obj.get("text"), f"{pointer}/text", max_len=max_len, min_len=1, required=True)
        if kind == "mrkdwn" and "emoji" in obj:
            self.err("emoji is only allowed on plain_text", f"{pointer}/emoji")
        if kind == "mrkdwn" and isinstance(obj.get("text"), str):
            for bad in bad_date_tokens(obj["text"]):
                self.err(f"malformed date token {bad[:80]!r}", f"{pointer}/text")

    def items(self, value: Any, pointer: str, *, max_items: int, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.err("must be an array", pointer)
            return []
        if len(value) > max_items:
            self.err(f"must be less than {max_items + 1} items", pointer)
        if len(value) < min_items:
            self.err(f"must provide at least {min_items} items", pointer)
        return value

    def action_id(self, el: dict[str, Any], pointer: str) -> None:
        self.string(el.get("action_id"), f"{pointer}/action_id", max_len=255, min_len=1)

    # -- composition objects ----------------------------------------------------------------

    def option(
        self, opt: Any, pointer: str, *, text_max: int = 75, plain_only: bool = True
    ) -> None:
        if not isinstance(opt, dict):
            self.err("must be an object", pointer)
            return
        self.text_object(
            opt.get("text"), f"{pointer}/text", max_len=text_max, plain_only=plain_only
        )
        self.string(opt.get("value"), f"{pointer}/value", max_len=150, min_len=1, required=True)
        self.text_object(
            opt.get("description"), f"{pointer}/description", max_len=75, required=False
        )
        self.string(opt.get("url"), f"{pointer}/url", max_len=3000)

    def confirm(self, obj: Any, pointer: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.err("must be an object", pointer)
            return
        self.text_object(obj.get("title"), f"{pointer}/title", max_len=100, plain_only=True)
        self.text_object(obj.get("text"), f"{pointer}/text", max_len=300)
        self.text_object(obj.get("confirm"), f"{pointer}/confirm", max_len=30, plain_only=True)
        self.text_object(obj.get("deny"), f"{pointer}/deny", max_len=30, plain_only=True)

    # -- elements -----------------------------------------------------------------------------

    def element(self, el: Any, pointer: str, *, allowed: tuple[str, ...] = ELEMENT_TYPES) -> None:
        if not isinstance(el, dict):
            self.err("must be an object", pointer)
            return
        kind = el.get("type")
        if kind not in allowed:
            self.err(f"unsupported element type {kind!r}", f"{pointer}/type")
            return
        if kind == "image":
            self.image_fields(el, pointer)
            return
        self.action_id(el, pointer)
        self.confirm(el.get("confirm"), f"{pointer}/confirm")
        if kind == "button":
            self.text_object(el.get("text"), f"{pointer}/text", max_len=75, plain_only=True)
            self.string(el.get("value"), f"{pointer}/value", max_len=2000)
            self.string(el.get("url"), f"{pointer}/url", max_len=3000)
            style = el.get("style")
            if style is not None and style not in ("primary", "danger"):
                self.err("value must be one of primary, danger", f"{pointer}/style")
            self.string(el.get("accessibility_label"), f"{pointer}/accessibility_label", max_len=75)
            return
        if "placeholder" in el:
            self.text_object(
                el.get("placeholder"), f"{pointer}/placeholder", max_len=150, plain_only=True
            )
        if kind in SELECT_TYPES:
            if "options" in el and "option_groups" in el:
                self.err("must provide either options or option_groups, not both", pointer)
            elif "options" in el:
                opts = self.items(el["options"], f"{pointer}/options", max_items=100, min_items=1)
                for i, opt in enumerate(opts):
                    self.option(opt, f"{pointer}/options/{i}")
            elif "option_groups" in el:
                groups = self.items(
                    el["option_groups"], f"{pointer}/option_groups", max_items=100, min_items=1
                )
                for g, group in enumerate(groups):
                    gp = f"{pointer}/option_groups/{g}"
                    if not isinstance(group, dict):
                        self.err("must be an object", gp)
                        continue
                    self.text_object(group.get("label"), f"{gp}/label", max_len=75, plain_only=True)
                    opts = self.items(group.get("options"), f"{gp}/options", max_items=100)
                    for i, opt in enumerate(opts):
                        self.option(opt, f"{gp}/options/{i}")
            else:
                self.err("must provide either options or option_groups", pointer)
        elif kind == "overflow":
            opts = self.items(el.get("options"), f"{pointer}/options", max_items=5, min_items=1)
            for i, opt in enumerate(opts):
                self.option(opt, f"{pointer}/options/{i}")
        elif kind in ("checkboxes", "radio_buttons"):
            opts = self.items(el.get("options"), f"{pointer}/options", max_items=10, min_items=1)
            for i, opt in enumerate(opts):
                self.option(opt, f"{pointer}/options/{i}", plain_only=False)
        elif kind == "plain_text_input":
            for key in ("min_length", "max_length"):
                v = el.get(key)
                if v is not None and (not isinstance(v, int) or not 0 <= v <= 3000):
                    self.err("must be an integer between 0 and 3000", f"{pointer}/{key}")
            self.string(el.get("initial_value"), f"{pointer}/initial_value", max_len=3000)

    def image_fields(self, el: dict[str, Any], pointer: str) -> None:
        has_url = "image_url" in el
        has_file = "slack_file" in el
        if has_url == has_file:
            self.err("must provide exactly one of image_url or slack_file", pointer)
        if has_url:
            self.string(el.get("image_url"), f"{pointer}/image_url", max_len=3000, min_len=1)
        self.string(
            el.get("alt_text"), f"{pointer}/alt_text", max_len=2000, min_len=1, required=True
        )

    # -- blocks -------------------------------------------------------------------------------

    def block(self, block: Any, pointer: str, surface: str) -> None:
        if not isinstance(block, dict):
            self.err("must be an object", pointer)
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.err(f"unsupported type {kind!r}", f"{pointer}/type")
            return
        self.string(block.get("block_id"), f"{pointer}/block_id", max_len=255, min_len=1)
        getattr(self, f"block_{kind}")(block, pointer, surface)

    def block_section(self, b: dict[str, Any], p: str, surface: str) -> None:
        if "text" not in b and "fields" not in b:
            self.err("must provide either text or fields", p)
        if "text" in b:
            self.text_object(b.get("text"), f"{p}/text", max_len=3000)
        if "fields" in b:
            fields = self.items(b.get("fields"), f"{p}/fields", max_items=10, min_items=1)
            for i, f in enumerate(fields):
                self.text_object(f, f"{p}/fields/{i}", max_len=2000)
        if "accessory" in b:
            self.element(b.get("accessory"), f"{p}/accessory")

    def block_divider(self, b: dict[str, Any], p: str, surface: str) -> None:
        return

    def block_header(self, b: dict[str, Any], p: str, surface: str) -> None:
        self.text_object(b.get("text"), f"{p}/text", max_len=150, plain_only=True)

    def block_context(self, b: dict[str, Any], p: str, surface: str) -> None:
        els = self.items(b.get("elements"), f"{p}/elements", max_items=10, min_items=1)
        for i, el in enumerate(els):
            ep = f"{p}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                self.image_fields(el, ep)
            else:
                self.text_object(el, ep, max_len=3000)

    def block_actions(self, b: dict[str, Any], p: str, surface: str) -> None:
        els = self.items(b.get("elements"), f"{p}/elements", max_items=25, min_items=1)
        for i, el in enumerate(els):
            allowed = tuple(t for t in ELEMENT_TYPES if t != "image")
            self.element(el, f"{p}/elements/{i}", allowed=allowed)

    def block_input(self, b: dict[str, Any], p: str, surface: str) -> None:
        if surface != "modal":
            self.err(f"input blocks are not allowed in a {surface}", f"{p}/type")
        self.text_object(b.get("label"), f"{p}/label", max_len=2000, plain_only=True)
        self.text_object(b.get("hint"), f"{p}/hint", max_len=2000, plain_only=True, required=False)
        if "element" not in b:
            self.err("missing required field", f"{p}/element")
        else:
            self.element(b.get("element"), f"{p}/element", allowed=INPUT_ELEMENT_TYPES)

    def block_image(self, b: dict[str, Any], p: str, surface: str) -> None:
        self.image_fields(b, p)
        self.text_object(
            b.get("title"), f"{p}/title", max_len=2000, plain_only=True, required=False
        )

    def block_rich_text(self, b: dict[str, Any], p: str, surface: str) -> None:
        self.rich_elements(b, p)

    def rich_elements(self, b: dict[str, Any], p: str) -> None:
        """Sections of text and date elements (the ones the bot sends) are checked."""
        for s, section in enumerate(
            self.items(b.get("elements"), f"{p}/elements", max_items=10_000)
        ):
            sp = f"{p}/elements/{s}"
            if not isinstance(section, dict) or section.get("type") != "rich_text_section":
                continue
            for e, el in enumerate(
                self.items(section.get("elements"), f"{sp}/elements", max_items=10_000)
            ):
                ep = f"{sp}/elements/{e}"
                if not isinstance(el, dict):
                    self.err("must be an object", ep)
                elif el.get("type") == "text":
                    self.string(el.get("text"), f"{ep}/text", max_len=10_000, min_len=1)
                elif el.get("type") == "date":
                    if not isinstance(el.get("timestamp"), int):
                        self.err("timestamp must be an integer", f"{ep}/timestamp")
                    words = DATE_WORDS.findall(str(el.get("format", "")))
                    if not words or not set(words) <= DATE_KEYS:
                        self.err("format must use Slack's date tokens", f"{ep}/format")
                    self.string(
                        el.get("fallback"),
                        f"{ep}/fallback",
                        max_len=1000,
                        min_len=1,
                        required=False,
                    )

    def block_markdown(self, b: dict[str, Any], p: str, surface: str) -> None:
        if surface != "message":
            self.err(f"markdown blocks are not allowed in a {surface}", f"{p}/type")
        self.string(b.get("text"), f"{p}/text", max_len=12_000, min_len=1, required=True)

    def block_file(self, b: dict[str, Any], p: str, surface: str) -> None:
        self.string(b.get("external_id"), f"{p}/external_id", max_len=255, min_len=1, required=True)

    def block_video(self, b: dict[str, Any], p: str, surface: str) -> None:
        self.string(b.get("video_url"), f"{p}/video_url", max_len=3000, min_len=1, required=True)
        self.string(b.get("alt_text"), f"{p}/alt_text", max_len=2000, min_len=1, required=True)
        self.text_object(b.get("title"), f"{p}/title", max_len=200, plain_only=True)

    def block_table(self, b: dict[str, Any], p: str, surface: str) -> None:
        if surface != "message":
            self.err(f"table blocks are only allowed in messages, not in a {surface}", f"{p}/type")
        rows = self.items(b.get("rows"), f"{p}/rows", max_items=100, min_items=1)
        for r, row in enumerate(rows):
            rp = f"{p}/rows/{r}"
            cells = self.items(row, rp, max_items=20, min_items=1)
            for c, cell in enumerate(cells):
                cp = f"{rp}/{c}"
                if not isinstance(cell, dict):
                    self.err("must be an object", cp)
                elif cell.get("type") == "raw_text":
                    if not isinstance(cell.get("text"), str):
                        self.err("missing required field", f"{cp}/text")
                elif cell.get("type") == "rich_text":
                    self.rich_elements(cell, cp)
                else:
                    self.err(
                        f"table cells must be raw_text or rich_text; got {cell.get('type')!r}",
                        f"{cp}/type",
                    )
        if "column_settings" in b:
            settings = self.items(b.get("column_settings"), f"{p}/column_settings", max_items=20)
            for i, s in enumerate(settings):
                if s is None:
                    continue
                if not isinstance(s, dict):
                    self.err("must be an object", f"{p}/column_settings/{i}")
                    continue
                align = s.get("align")
                if align is not None and align not in ("left", "center", "right"):
                    self.err(
                        "value must be one of left, center, right",
                        f"{p}/column_settings/{i}/align",
                    )


def validate_blocks(blocks: Any, surface: str = "message", pointer: str = "/blocks") -> list[str]:
    """Check ``blocks`` against Slack's limits for ``surface`` ("message", "modal", "home").

    Returns a list of human-readable errors; an empty list means valid.
    """
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; expected one of {SURFACES}")
    c = _Checker()
    blocks = c.items(blocks, pointer, max_items=MAX_BLOCKS[surface])
    seen: dict[str, int] = {}
    tables = 0
    for i, block in enumerate(blocks):
        bp = f"{pointer}/{i}"
        c.block(block, bp, surface)
        if not isinstance(block, dict):
            continue
        bid = block.get("block_id")
        if isinstance(bid, str):
            if bid in seen:
                c.err(f"duplicate block_id {bid!r} (also at index {seen[bid]})", f"{bp}/block_id")
            else:
                seen[bid] = i
        if block.get("type") == "table":
            tables += 1
            if tables == 2:
                c.err("only one table block is allowed per message", f"{bp}/type")
    return c.errors


def validate_view(view: Any, pointer: str = "/view") -> list[str]:
    """Check a modal or home-tab view object, including its blocks."""
    c = _Checker()
    if not isinstance(view, dict):
        c.err("must be an object", pointer)
        return c.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        c.err(f"value must be one of modal, home; got {kind!r}", f"{pointer}/type")
        return c.errors
    if kind == "modal":
        c.text_object(view.get("title"), f"{pointer}/title", max_len=24, plain_only=True)
        c.text_object(
            view.get("submit"), f"{pointer}/submit", max_len=24, plain_only=True, required=False
        )
        c.text_object(
            view.get("close"), f"{pointer}/close", max_len=24, plain_only=True, required=False
        )
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            c.err("must provide submit when the view contains input blocks", f"{pointer}/submit")
    c.string(view.get("callback_id"), f"{pointer}/callback_id", max_len=255)
    c.string(view.get("private_metadata"), f"{pointer}/private_metadata", max_len=3000)
    c.string(view.get("external_id"), f"{pointer}/external_id", max_len=255)
    if "blocks" not in view:
        c.err("missing required field", f"{pointer}/blocks")
        return c.errors
    return c.errors + validate_blocks(view.get("blocks"), kind, f"{pointer}/blocks")
