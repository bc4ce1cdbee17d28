"""`/capacity TEXT`: ack at once with the answer (ephemeral); "Share in channel" re-runs it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.render.blocks import SHARE_ACTION_ID, render_message
from bot.reply import Reply
from bot.slack.listeners.changes import handle_effect
from bot.slack.listeners.errors import in_background

__all__ = ["register"]


def register(app: AsyncApp, deps: Deps, *, answer_in_ack: bool = True) -> None:
    """`answer_in_ack=False` acks empty and answers through response_url (measured in bench/)."""

    async def capacity(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        text = str(command.get("text") or "")
        ctx = deps.context(command.get("user_id"), command.get("channel_id"))

        async def effect(reply: Reply) -> None:
            await handle_effect(
                reply,
                client,
                deps,
                trigger_id=command.get("trigger_id"),
                channel_id=command.get("channel_id"),
                user_id=command.get("user_id"),
            )

        if answer_in_ack:
            reply, body = await deps.answers.ack_body(text, ctx)
            # A str is sent as it is; starting with "{", Bolt labels it application/json.
            await ack(body)
            # Effects (open the log form, upload an export) need the Web API: after the ack,
            # inside the trigger id's 3 seconds.
            if reply.effect is not None:
                in_background(effect(reply), command, respond)
            return

        async def answer() -> None:
            reply, message = deps.answers.answer(text, ctx)
            await respond(response_type="ephemeral", **message)
            await effect(reply)

        await ack()
        in_background(answer(), command, respond)

    async def share(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        text = str(action.get("value") or "")
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")

        async def post() -> None:
            message = render_message(deps.router.dispatch(text, deps.context(user, channel)))
            await respond(response_type="in_channel", replace_original=False, **message)

        await ack()
        in_background(post(), body, respond)

    app.command("/capacity")(capacity)
    app.action(SHARE_ACTION_ID)(share)
