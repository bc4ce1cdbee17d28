"""`/capacity TEXT`: ack at once with the answer (ephemeral); "Share in channel" re-runs it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.router import Request, error_reply
from bot.context import Context
from bot.core.logs import log_context
from bot.render.blocks import SHARE_ACTION_ID, render_message
from bot.reply import Reply
from bot.slack.answers import WORKING, Later
from bot.slack.front import Front
from bot.slack.listeners.changes import handle_effect
from bot.slack.listeners.errors import in_background
from bot.slack.middleware import count_command

__all__ = ["capacity", "register", "share"]


def context(front: Front, command: dict[str, Any]) -> Context:
    return front.context(command.get("user_id"), command.get("channel_id"))


async def capacity(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    front: Front,
) -> None:
    # Split once: everything below reads the request, not the text.
    request = front.router.parse(str(command.get("text") or ""))
    with log_context(command=request.label):
        await _capacity(ack, command, respond, client, front, request)


async def _capacity(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    front: Front,
    request: Request,
) -> None:

    async def effect(reply: Reply) -> None:
        await handle_effect(
            reply,
            client,
            front,
            trigger_id=command.get("trigger_id"),
            channel_id=command.get("channel_id"),
            user_id=command.get("user_id"),
        )

    if front.answer_in_ack:
        answered = await front.answers.ack_body(
            request, front.deps.plan, lambda: context(front, command), front.write_wait
        )
        if isinstance(answered, Later):
            # Not ready in time (another process holds the database's write lock, say):
            # acked now, answered through the response URL when it is.
            await ack(WORKING)

            async def follow_up(later: Later) -> None:
                reply, message = await later.answer
                count_command(front.deps.telemetry, request, reply)
                await respond(response_type="ephemeral", **message)
                await effect(reply)

            in_background(follow_up(answered), command, respond)
            return
        reply, body = answered
        count_command(front.deps.telemetry, request, reply)
        # A str is sent as it is; starting with "{", Bolt labels it application/json.
        await ack(body)
        # Effects (open the log form, upload an export) need the Web API: after the ack,
        # inside the trigger id's 3 seconds.
        if reply.effect is not None:
            in_background(effect(reply), command, respond)
        return

    async def answer() -> None:
        reply, message = front.answers.answer(request, context(front, command))
        count_command(front.deps.telemetry, request, reply)
        await respond(response_type="ephemeral", **message)
        await effect(reply)

    await ack()
    in_background(answer(), command, respond)


async def share(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    front: Front,
) -> None:
    request = front.router.parse(str(action.get("value") or ""))
    user = (body.get("user") or {}).get("id")
    channel = (body.get("channel") or {}).get("id")

    async def post() -> None:
        message = render_message(front.router.dispatch(request, front.context(user, channel)))
        await respond(response_type="in_channel", replace_original=False, **message)

    await ack()
    if not request.shareable:
        # The value came back from Slack: whatever it says, Share only ever re-runs a
        # command that reads. A writing one was never given this button.
        refused = render_message(error_reply("That answer cannot be shared.", "help"))
        in_background(
            respond(response_type="ephemeral", replace_original=False, **refused), body, respond
        )
        return
    in_background(post(), body, respond)


def register(app: AsyncApp) -> None:
    app.command("/capacity")(capacity)
    app.action(SHARE_ACTION_ID)(share)
