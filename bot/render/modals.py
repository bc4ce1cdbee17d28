"""Block Kit for the change log: the modal, reading it back, and the confirmation message.

Pure: data in, dicts out. Block ids are the field names of `bot.domain.changes.FIELDS`, so a
validation error maps straight onto the block that shows it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.changes import CHANGE_MAX, Change
from bot.domain.values import Person
from bot.render.blocks import escape, mention

__all__ = [
    "CHANGE_MODAL",
    "DELETE_ACTION",
    "EDIT_ACTION",
    "FormMeta",
    "TamperedForm",
    "change_message",
    "change_modal",
    "read_change_form",
    "slack_user_id",
]

CHANGE_MODAL = "change_log_modal"
EDIT_ACTION = "change_edit"
DELETE_ACTION = "change_delete"
VALUE = "value"  # every input's action_id


CHANNEL_ID = r"^[CDG][A-Z0-9]{1,30}$"
USER_ID = r"^[UWB][A-Z0-9]{1,30}$"
_USER = re.compile(USER_ID)


class TamperedForm(ValueError):
    """Form state that the bot did not write: refused, nothing stored."""


class _Meta(BaseModel):
    """`private_metadata` as the bot writes it. Strict: `true` is not an entry number, a
    list is not a channel, and ids have Slack's shapes (no newline can hide in one)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    c: str | None = Field(None, pattern=CHANNEL_ID)
    k: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    e: int | None = Field(None, ge=1, le=2**53)
    t: str | None = Field(None, pattern=r"^[0-9]{1,12}\.[0-9]{1,9}$")


class _Element(BaseModel):
    """One input's state: only what Slack puts there for our three element types."""

    model_config = ConfigDict(strict=True, extra="ignore")

    type: str = Field(pattern=r"^(datepicker|static_select|plain_text_input)$")
    value: str | None = Field(None, max_length=3000)
    selected_date: str | None = Field(None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    selected_option: dict[str, Any] | None = None


def _by(user: str | None) -> str:
    return mention(Person(user or ""))


def slack_user_id(value: object) -> str:
    """A user id of Slack's shape, else TamperedForm."""
    if not isinstance(value, str) or not _USER.fullmatch(value):
        raise TamperedForm("user")
    return value


@dataclass(frozen=True)
class FormMeta:
    """What the modal carries in `private_metadata` (at most 3,000 characters)."""

    channel_id: str | None
    key: str
    change_id: int | None = None
    message_ts: str | None = None  # the confirmation to update after an edit

    def dump(self) -> str:
        return json.dumps(
            {"c": self.channel_id, "k": self.key, "e": self.change_id, "t": self.message_ts},
            separators=(",", ":"),
        )

    @classmethod
    def load(cls, text: object) -> FormMeta:
        """What `dump` wrote, or TamperedForm: nothing else is acted on."""
        try:
            meta = _Meta.model_validate_json(text if isinstance(text, str) else "")
        except (ValidationError, ValueError):
            raise TamperedForm("private_metadata") from None
        return cls(channel_id=meta.c, key=meta.k, change_id=meta.e, message_ts=meta.t)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(
    initial: str, placeholder: str, *, multiline: bool = False, max_length: int | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "placeholder": _plain(placeholder),
    }
    if initial:
        element["initial_value"] = initial[:max_length] if max_length else initial
    if max_length:
        element["max_length"] = max_length
    return element


def _cost_text(change: Change | None) -> str:
    if change is None or change.cost_change is None:
        return ""
    return str(change.cost_change)


def change_modal(
    *,
    today: date,
    tiers: list[tuple[int, str]],
    meta: FormMeta,
    prefill: str = "",
    change: Change | None = None,
) -> dict[str, Any]:
    """The log form; filled in from `change` when editing."""
    options = [{"text": _plain(label[:75]), "value": str(number)} for number, label in tiers[:100]]
    tier_select: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain("Which tier is this for?"),
        "options": options,
    }
    if change is not None and change.tier is not None:
        chosen = next((o for o in options if o["value"] == str(change.tier)), None)
        if chosen:
            tier_select["initial_option"] = chosen
    blocks = [
        _input(
            "date",
            "Date",
            {
                "type": "datepicker",
                "initial_date": (change.date if change else today).isoformat(),
            },
        ),
        _input(
            "change",
            "Change",
            _text_input(
                change.change if change else prefill,
                "Added 2nd API container",
                max_length=CHANGE_MAX,
            ),
        ),
        _input(
            "reason",
            "Reason",
            _text_input(
                change.reason if change else "",
                "p95 exceeded 1s during peak hours",
                multiline=True,
                max_length=3000,
            ),
        ),
        _input(
            "impact",
            "Impact",
            _text_input(
                change.impact if change else "",
                "Reduced p95 to 400ms",
                multiline=True,
                max_length=3000,
            ),
            optional=True,
        ),
        _input(
            "cost_change",
            "Monthly cost change ($)",
            _text_input(_cost_text(change), "+10 or -25.50", max_length=30),
            optional=True,
            hint="Dollars a month; negative when the change saves money.",
        ),
        _input("tier", "Tier", tier_select, optional=True),
    ]
    editing = change is not None
    return {
        "type": "modal",
        "callback_id": CHANGE_MODAL,
        "title": _plain("Edit change" if editing else "Log a change"),
        "submit": _plain("Save" if editing else "Log it"),
        "close": _plain("Cancel"),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }


def read_change_form(state_values: dict[str, Any]) -> dict[str, str]:
    """`view.state.values` -> {field: text}, ready for `validate_change_fields`."""
    out: dict[str, str] = {}
    if not isinstance(state_values, dict):
        raise TamperedForm("state")
    for block_id, actions in state_values.items():
        try:
            element = _Element.model_validate((actions or {}).get(VALUE) or {"type": "x"})
        except (ValidationError, AttributeError):
            raise TamperedForm(str(block_id)[:30]) from None
        if element.type == "datepicker":
            value = element.selected_date or ""
        elif element.type == "static_select":
            option = (element.selected_option or {}).get("value")
            if option is not None and not isinstance(option, str):
                raise TamperedForm(str(block_id)[:30])
            value = option or ""
        else:
            value = element.value or ""
        out[str(block_id)] = value
    return out


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def change_message(change: Change, *, cost: str = "", verb: str = "logged") -> dict[str, Any]:
    """The confirmation posted in the channel, with Edit and Delete (or a deleted notice)."""
    fallback = f"Change #{change.id} {verb}: {change.date.isoformat()} {change.change}"
    if change.deleted:
        return {
            "text": f"Change #{change.id} deleted: {change.change}",
            "blocks": [
                {
                    "type": "section",
                    "text": _mrkdwn(
                        f"~{escape(change.change)[:2900]}~\n_Deleted by {_by(change.deleted_by)}._"
                    ),
                }
            ],
        }
    fields = [
        _mrkdwn(f"*Date*\n{change.date.isoformat()}"),
        _mrkdwn(f"*By*\n{_by(change.recorded_by)}"),
    ]
    if cost:
        fields.append(_mrkdwn(f"*Cost*\n{cost}/mo"))
    if change.tier is not None:
        fields.append(_mrkdwn(f"*Tier*\n{'baseline' if change.tier == 0 else change.tier}"))
    body = f"*{escape(change.change)}*\n*Reason:* {escape(change.reason)}"
    if change.impact:
        body += f"\n*Impact:* {escape(change.impact)}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn(f":memo: Change #{change.id} {verb}")},
        {"type": "section", "text": _mrkdwn(body[:3000]), "fields": fields},
        {
            "type": "actions",
            "block_id": f"change_{change.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": EDIT_ACTION,
                    "text": _plain("Edit"),
                    "value": str(change.id),
                },
                {
                    "type": "button",
                    "action_id": DELETE_ACTION,
                    "text": _plain("Delete"),
                    "value": str(change.id),
                    "style": "danger",
                    "confirm": {
                        "title": _plain("Delete this change?"),
                        "text": _plain(f"#{change.id}: {change.change}"[:300]),
                        "confirm": _plain("Delete"),
                        "deny": _plain("Keep it"),
                        "style": "danger",
                    },
                },
            ],
        },
    ]
    return {"text": fallback[:3000], "blocks": blocks}
