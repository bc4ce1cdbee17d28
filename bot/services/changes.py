"""The change-log form's workflow: store a filled-in form, then what to show its author and
the channel (confirmation, saved notice), and the Edit and Delete buttons on a confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.changes import (
    OpenChangeModal,
    PostConfirmation,
    _store,
    fmt_cost,
    may_write,
    refusal,
    today,
)
from bot.commands.router import Context
from bot.domain.changes import Change, content_key, validate_change_fields
from bot.domain.numbers import NumberError, parse_whole
from bot.reply import Reply, Text

__all__ = [
    "FormOutcome",
    "confirmation",
    "delete_request",
    "edit_request",
    "saved_notice",
    "submit_change_form",
]


@dataclass(frozen=True)
class FormOutcome:
    """What became of a filled-in form: field errors, a refusal, or the stored entry."""

    errors: dict[str, str]
    change: Change | None = None
    created: bool = False
    refused: bool = False
    edited: bool = False


def submit_change_form(
    ctx: Context,
    fields: dict[str, str],
    *,
    key: str,
    change_id: int | None = None,
) -> FormOutcome:
    """Validate and store one form (new entry, or an edit when `change_id` is set).

    The idempotency key is `key` plus the content's digest: the same submission delivered
    twice stores one row; a corrected resubmission after an error stores its own.
    """
    if not may_write(ctx):
        return FormOutcome(errors={}, refused=True)
    draft, errors = validate_change_fields(fields, ctx.plan, today(ctx))
    if draft is None:
        return FormOutcome(errors=errors)
    store = _store(ctx).changes
    by = ctx.user_id or "unknown"
    if change_id is not None:
        edited = store.edit(change_id, draft, by, ctx.now)
        if edited is None:
            return FormOutcome(errors={"change": f"Entry #{change_id} was deleted meanwhile."})
        return FormOutcome(errors={}, change=edited, created=False, edited=True)
    change, created = store.add(
        draft, by, ctx.channel_id, f"{key}:{content_key(draft, 'form')}", ctx.now
    )
    return FormOutcome(errors={}, change=change, created=created)


def confirmation(
    outcome: FormOutcome, *, user_id: str, channel_id: str | None, message_ts: str | None
) -> PostConfirmation | None:
    """What to show after a form was stored: a new entry is posted where it was logged (a DM
    when the channel refuses); an edit replaces its confirmation message when the form came
    from one; a re-delivered submission (nothing new stored) shows nothing."""
    change = outcome.change
    if change is None:
        return None
    cost = fmt_cost(change.cost_change)
    targets = tuple(t for t in (change.channel_id, user_id) if t)
    if outcome.edited:
        update = (channel_id, message_ts) if channel_id and message_ts else None
        return PostConfirmation(change, "edited", cost, update=update, targets=targets)
    if outcome.created:
        return PostConfirmation(change, "logged", cost, targets=targets)
    return None


def saved_notice(change: Change, verb: str, reference: str) -> Reply:
    """Told when an entry was stored but its confirmation could not be shown. It must not
    suggest doing it again: that would store a second entry."""
    return Reply(
        title=f"Change #{change.id} {verb}",
        parts=(
            Text(
                f"Change #{change.id} was {verb} and that is saved: {change.change}. I could "
                "not show the confirmation message, so there is no need to do it again; see "
                "the log with `/capacity changes`."
            ),
        ),
        notes=(f"Reference: {reference}",),
    )


def _entry_id(value: str) -> int | None:
    try:
        return parse_whole(value, "entry number")
    except NumberError:
        return None


def edit_request(ctx: Context, value: str, *, message_ts: str | None = None) -> Reply:
    """The Edit button on a confirmation: the filled-in form, a refusal, or why not."""
    if not may_write(ctx):
        return refusal("edit changes")
    change_id = _entry_id(value)
    change = _store(ctx).changes.get(change_id) if change_id is not None else None
    if change is None or change.deleted:
        return Reply(
            title="Nothing to edit",
            parts=(Text(f"Entry #{value[:20]} was deleted, so it cannot be edited."),),
            error=True,
        )
    return Reply(
        title=f"Edit change #{change.id}",
        parts=(Text("Opening the change-log form…"),),
        effect=OpenChangeModal(change_id=change.id, change=change, message_ts=message_ts),
    )


def delete_request(
    ctx: Context, value: str, *, channel_id: str | None = None, message_ts: str | None = None
) -> Reply:
    """The Delete button on a confirmation: soft-delete, then replace that message."""
    if not may_write(ctx):
        return refusal("delete changes")
    change_id = _entry_id(value)
    by = ctx.user_id or "unknown"
    deleted = (
        _store(ctx).changes.soft_delete(change_id, by, ctx.now) if change_id is not None else None
    )
    if deleted is None:
        return Reply(
            title="Nothing to delete",
            parts=(Text(f"Entry #{value[:20]} is already deleted."),),
            error=True,
        )
    update = (channel_id, message_ts) if channel_id and message_ts else None
    return Reply(
        title=f"Change #{deleted.id} deleted",
        parts=(Text(deleted.change),),
        effect=PostConfirmation(deleted, "deleted", update=update) if update else None,
    )
