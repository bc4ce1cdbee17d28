"""Bolt wiring for the change log: the modal's submission, Edit, Delete and More buttons.

Listeners ack, call the commands layer, render, respond. A submission is stored before it
is acknowledged (so an ack means the entry is on disk); the confirmation is posted after.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.changes import (
    MORE_ACTION,
    ExportChanges,
    OpenChangeModal,
    fmt_cost,
    may_write,
    refusal,
    submit_change_form,
    today,
)
from bot.deps import Deps
from bot.domain.changes import Change, tier_options
from bot.render.modals import (
    CHANGE_MODAL,
    DELETE_ACTION,
    EDIT_ACTION,
    FormMeta,
    change_message,
    change_modal,
    read_change_form,
    reply_message,
)
from bot.render.text import render_text
from bot.reply import Reply

__all__ = ["handle_effect", "open_change_modal", "register"]

log = logging.getLogger(__name__)


async def open_change_modal(
    client: AsyncWebClient,
    trigger_id: str,
    deps: Deps,
    *,
    prefill: str = "",
    channel_id: str | None = None,
    change: Change | None = None,
    message_ts: str | None = None,
) -> None:
    """Open the log form (or the edit form for `change`) with a fresh idempotency key."""
    ctx = deps.context(channel_id=channel_id)
    meta = FormMeta(
        channel_id=channel_id,
        key=uuid.uuid4().hex,
        change_id=change.id if change else None,
        message_ts=message_ts,
    )
    view = change_modal(
        today=today(ctx), tiers=tier_options(deps.plan), meta=meta, prefill=prefill, change=change
    )
    await client.views_open(trigger_id=trigger_id, view=view)


async def handle_effect(
    reply: Reply,
    client: AsyncWebClient,
    deps: Deps,
    *,
    trigger_id: str | None,
    channel_id: str | None,
    user_id: str | None,
) -> bool:
    """Carry out a change-log `Reply.effect` from a slash command; True when it was ours.

    The Slack app's `/capacity` listener calls this after acking (trigger ids last 3 s).
    """
    effect = reply.effect
    if isinstance(effect, OpenChangeModal) and trigger_id:
        await open_change_modal(
            client, trigger_id, deps, prefill=effect.prefill, channel_id=channel_id
        )
        return True
    if isinstance(effect, ExportChanges):
        target = channel_id or user_id
        await client.files_upload_v2(
            channel=target,
            initial_comment=f"Change log: {effect.count} entries",
            file_uploads=[
                {"content": effect.markdown, "filename": effect.markdown_name},
                {"content": effect.csv, "filename": effect.csv_name},
            ],
        )
        return True
    return False


async def _confirm(client: AsyncWebClient, change: Change, user_id: str, verb: str) -> None:
    """Post the confirmation where the change was logged; DM the author if that fails."""
    message = change_message(change, cost=fmt_cost(change.cost_change), verb=verb)
    if change.channel_id:
        try:
            await client.chat_postMessage(channel=change.channel_id, **message)
            return
        except SlackApiError as exc:
            log.info("confirmation in %s failed (%s); sending a DM", change.channel_id, exc)
    await client.chat_postMessage(channel=user_id, **message)


def _ephemeral_target(body: dict[str, Any]) -> tuple[str | None, str]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, body["user"]["id"]


async def _refuse(client: AsyncWebClient, body: dict[str, Any], action: str) -> None:
    channel, user = _ephemeral_target(body)
    text = render_text(refusal(action))
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError:
            pass
    await client.chat_postMessage(channel=user, text=text)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(CHANGE_MODAL)
    async def change_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = body["user"]["id"]
        meta = FormMeta.load(view.get("private_metadata", ""))
        ctx = deps.context(user_id=user, channel_id=meta.channel_id)
        fields = read_change_form(view.get("state", {}).get("values", {}))
        outcome = submit_change_form(
            ctx, fields, key=f"{view.get('id', '')}:{meta.key}", change_id=meta.change_id
        )
        if outcome.refused:
            await ack(response_action="errors", errors={"change": render_text(refusal())[:150]})
            return
        if outcome.errors:
            await ack(response_action="errors", errors=outcome.errors)
            return
        await ack()  # the entry is committed: acking now can lose nothing
        change = outcome.change
        if change is None:
            return
        if meta.change_id is not None:
            if meta.channel_id and meta.message_ts:
                message = change_message(change, cost=fmt_cost(change.cost_change), verb="edited")
                try:
                    await client.chat_update(channel=meta.channel_id, ts=meta.message_ts, **message)
                    return
                except SlackApiError:
                    pass
            await _confirm(client, change, user, "edited")
        elif outcome.created:
            await _confirm(client, change, user, "logged")

    @app.action(EDIT_ACTION)
    async def edit_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        if not may_write(deps.context(user_id=user)):
            await _refuse(client, body, "edit changes")
            return
        change = deps.store.changes.get(int(body["actions"][0]["value"]))
        if change is None or change.deleted:
            return
        channel, _ = _ephemeral_target(body)
        await open_change_modal(
            client,
            body["trigger_id"],
            deps,
            channel_id=channel,
            change=change,
            message_ts=(body.get("message") or {}).get("ts"),
        )

    @app.action(DELETE_ACTION)
    async def delete_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        ctx = deps.context(user_id=user)
        if not may_write(ctx):
            await _refuse(client, body, "delete changes")
            return
        change_id = int(body["actions"][0]["value"])
        deleted = deps.store.changes.soft_delete(change_id, user, ctx.now)
        channel, _ = _ephemeral_target(body)
        ts = (body.get("message") or {}).get("ts")
        if deleted is not None and channel and ts:
            await client.chat_update(channel=channel, ts=ts, **change_message(deleted))

    @app.action(MORE_ACTION)
    async def more_clicked(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        channel, user = _ephemeral_target(body)
        ctx = deps.context(user_id=user, channel_id=channel)
        reply = deps.router.dispatch(str(body["actions"][0].get("value", "changes")), ctx)
        await respond(response_type="ephemeral", replace_original=False, **reply_message(reply))
