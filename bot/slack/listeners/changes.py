"""Bolt wiring for the change log: the modal's submission, Edit, Delete and More buttons.

Listeners ack, call the commands layer, render, respond. A submission is stored before it
is acknowledged (so an ack means the entry is on disk); everything after the ack (the
confirmation, opening the edit form, updating a message) runs in the background, because
with `process_before_response=True` Bolt answers Slack only when the listener returns.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.change_form import delete_request, edit_request, saved_notice
from bot.commands.changes import (
    MORE_ACTION,
    ExportChanges,
    OpenChangeModal,
    PostConfirmation,
    page_request,
    refusal,
    today,
)
from bot.commands.plan_doc import ExportPlan, ReloadPlan, plan_document
from bot.commands.plan_sections import SectionFile
from bot.context import Context
from bot.domain.changes import Change, tier_options
from bot.reload import carry_out_reload_off_loop
from bot.render.blocks import render_message
from bot.render.modals import (
    CHANGE_MODAL,
    DELETE_ACTION,
    EDIT_ACTION,
    FormMeta,
    TamperedForm,
    change_message,
    change_modal,
    read_change_form,
    slack_user_id,
)
from bot.render.text import render_text
from bot.reply import Reply
from bot.slack.confirm import deliver_confirmation, submit_and_queue
from bot.slack.front import Front
from bot.slack.listeners.errors import in_background

__all__ = [
    "change_submitted",
    "delete_clicked",
    "edit_clicked",
    "handle_effect",
    "more_clicked",
    "open_change_modal",
    "register",
]

log = logging.getLogger(__name__)

TAMPERED = (
    "This form's saved state was changed outside Slack, so nothing was saved. "
    "Close it and open a new one with /capacity log."
)


async def open_change_modal(
    client: AsyncWebClient,
    trigger_id: str,
    front: Front,
    *,
    prefill: str = "",
    channel_id: str | None = None,
    change: Change | None = None,
    message_ts: str | None = None,
) -> None:
    """Open the log form (or the edit form for `change`) with a fresh idempotency key."""
    ctx = front.context(channel_id=channel_id)
    meta = FormMeta(
        channel_id=channel_id,
        key=uuid.uuid4().hex,
        change_id=change.id if change else None,
        message_ts=message_ts,
    )
    view = change_modal(
        today=today(ctx), tiers=tier_options(ctx.plan), meta=meta, prefill=prefill, change=change
    )
    await client.views_open(trigger_id=trigger_id, view=view)


async def post_confirmation(client: AsyncWebClient, effect: PostConfirmation) -> None:
    """Carry out `effect`: replace its message, else post to its targets in turn. Raises the
    last SlackApiError when nowhere took it."""
    message = change_message(effect.change, cost=effect.cost, verb=effect.verb)
    failure: SlackApiError | None = None
    if effect.update is not None:
        channel, ts = effect.update
        try:
            await client.chat_update(channel=channel, ts=ts, **message)
            return
        except SlackApiError as exc:
            log.info("updating the confirmation in %s failed (%s)", channel, exc)
            failure = exc
    for target in effect.targets:
        try:
            await client.chat_postMessage(channel=target, **message)
            return
        except SlackApiError as exc:
            log.info("confirmation to %s failed (%s)", target, exc)
            failure = exc
    if failure is not None:
        raise failure


async def handle_effect(
    reply: Reply,
    client: AsyncWebClient,
    front: Front,
    *,
    trigger_id: str | None,
    channel_id: str | None,
    user_id: str | None,
) -> bool:
    """Carry out a change-log `Reply.effect` after the ack; True when it was ours.

    The `/capacity` listener and the buttons below call this in the background.
    """
    effect = reply.effect
    if isinstance(effect, OpenChangeModal) and trigger_id:
        await open_change_modal(
            client,
            trigger_id,
            front,
            prefill=effect.prefill,
            channel_id=channel_id,
            change=effect.change,
            message_ts=effect.message_ts,
        )
        return True
    if isinstance(effect, ExportChanges):
        files = await front.export(front.context(user_id=user_id, channel_id=channel_id))
        await client.files_upload_v2(
            channel=channel_id or user_id,
            initial_comment=f"Change log: {files.count} entries",
            file_uploads=[
                {"content": files.markdown, "filename": files.markdown_name},
                {"content": files.csv, "filename": files.csv_name},
            ],
        )
        return True
    if isinstance(effect, PostConfirmation):
        await post_confirmation(client, effect)
        return True
    if isinstance(effect, SectionFile):
        await client.files_upload_v2(
            channel=channel_id or user_id,
            initial_comment=f"{effect.filename}: a section of the plan's document, as written",
            file_uploads=[{"content": effect.content, "filename": effect.filename}],
        )
        return True
    if isinstance(effect, ExportPlan):
        ctx = front.context(user_id=user_id, channel_id=channel_id)
        document = await plan_document(ctx)
        await client.files_upload_v2(
            channel=channel_id or user_id,
            initial_comment=f"{ctx.plan.titled('Capacity plan')} (version {ctx.plan_version})",
            file_uploads=[{"content": document, "filename": effect.filename}],
        )
        return True
    if isinstance(effect, ReloadPlan) and user_id:
        message = render_message(await carry_out_reload_off_loop(front.deps, user_id))
        if channel_id:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
        else:
            await client.chat_postMessage(channel=user_id, **message)
        return True
    return False


def _where(body: dict[str, Any]) -> tuple[str | None, str]:
    """The channel a button was clicked in, and who clicked it."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, body["user"]["id"]


def _button(body: dict[str, Any], front: Front) -> tuple[Context, str, str | None]:
    """A confirmation button's click: who, where (as a command context), the button's value
    and the ts of the message it sits on."""
    channel, user = _where(body)
    ctx = front.context(user_id=user, channel_id=channel)
    return ctx, str(body["actions"][0].get("value", "")), (body.get("message") or {}).get("ts")


async def change_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    front: Front,
) -> None:
    try:
        user = slack_user_id((body.get("user") or {}).get("id"))
        meta = FormMeta.load(view.get("private_metadata"))
        fields = read_change_form((view.get("state") or {}).get("values") or {})
    except TamperedForm as exc:
        log.warning("change form refused: %s is not what the bot wrote", exc)
        await ack(response_action="errors", errors={"change": TAMPERED})
        return
    ctx = front.context(user_id=user, channel_id=meta.channel_id)
    outcome, effect, queued = submit_and_queue(
        front.deps,
        ctx,
        fields,
        key=f"{view.get('id', '')}:{meta.key}",
        change_id=meta.change_id,
        message_ts=meta.message_ts,
    )
    if outcome.refused:
        await ack(response_action="errors", errors={"change": render_text(refusal())[:150]})
        return
    if outcome.errors:
        await ack(response_action="errors", errors=outcome.errors)
        return
    await ack()  # the entry and its queued confirmation are committed: nothing to lose
    if effect is None:
        return

    async def tell_saved(reference: str) -> None:
        # No response_url on a form: an ephemeral where it was logged, else a DM.
        message = render_message(saved_notice(effect.change, effect.verb, reference))
        if meta.channel_id:
            try:
                await client.chat_postEphemeral(channel=meta.channel_id, user=user, **message)
                return
            except SlackApiError as exc:
                log.info("saved notice in %s failed (%s)", meta.channel_id, exc)
        await client.chat_postMessage(channel=user, **message)

    if queued is not None:
        delivery = deliver_confirmation(client, front.deps, effect, queued, ctx.now)
        in_background(delivery, body, None, on_error=tell_saved)
    else:
        in_background(post_confirmation(client, effect), body, None, on_error=tell_saved)


async def _carry_out(
    reply: Reply,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    front: Front,
) -> None:
    channel, user = _where(body)
    if reply.effect is None:
        await respond(response_type="ephemeral", replace_original=False, **render_message(reply))
        return
    await handle_effect(
        reply,
        client,
        front,
        trigger_id=body.get("trigger_id"),
        channel_id=channel,
        user_id=user,
    )


async def edit_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    front: Front,
) -> None:
    ctx, value, message_ts = _button(body, front)
    reply = edit_request(ctx, value, message_ts=message_ts)
    await ack()
    in_background(_carry_out(reply, body, client, respond, front), body, respond)


async def delete_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    front: Front,
) -> None:
    ctx, value, message_ts = _button(body, front)
    # Deleted before the ack: a failure here is answered by the error handler, and an
    # ack means the entry is deleted.
    reply = delete_request(ctx, value, channel_id=ctx.channel_id, message_ts=message_ts)
    await ack()
    effect = reply.effect
    if not isinstance(effect, PostConfirmation):
        in_background(_carry_out(reply, body, client, respond, front), body, respond)
        return

    async def tell_deleted(reference: str) -> None:
        message = render_message(saved_notice(effect.change, effect.verb, reference))
        await respond(response_type="ephemeral", replace_original=False, **message)

    in_background(
        _carry_out(reply, body, client, respond, front), body, respond, on_error=tell_deleted
    )


async def more_clicked(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, front: Front
) -> None:
    await ack()
    channel, user = _where(body)

    async def page() -> None:
        ctx = front.context(user_id=user, channel_id=channel)
        value = str(body["actions"][0].get("value", "changes"))
        if not page_request(value):
            value = "changes"  # not a value this button was given: the first page
        reply = front.router.dispatch(value, ctx)
        await respond(response_type="ephemeral", replace_original=False, **render_message(reply))

    in_background(page(), body, respond)


def register(app: AsyncApp) -> None:
    app.view(CHANGE_MODAL)(change_submitted)
    app.action(EDIT_ACTION)(edit_clicked)
    app.action(DELETE_ACTION)(delete_clicked)
    app.action(MORE_ACTION)(more_clicked)
