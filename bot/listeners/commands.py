"""`/capacity TEXT`: ack at once with the answer (ephemeral); "Share in channel" re-runs it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.deps import Deps
from bot.listeners.errors import in_background
from bot.render.blocks import SHARE_ACTION_ID, render_message

__all__ = ["register"]


def register(app: AsyncApp, deps: Deps, *, answer_in_ack: bool = True) -> None:
    """`answer_in_ack=False` acks empty and answers through response_url (measured in bench/)."""

    async def capacity(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        text = str(command.get("text") or "")
        ctx = deps.context(command.get("user_id"), command.get("channel_id"))
        if answer_in_ack:
            message = render_message(deps.router.dispatch(text, ctx), command=text, share=True)
            await ack(response_type="ephemeral", **message)
            return

        async def answer() -> None:
            message = render_message(deps.router.dispatch(text, ctx), command=text, share=True)
            await respond(response_type="ephemeral", **message)

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
