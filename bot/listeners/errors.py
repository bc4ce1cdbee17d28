"""The global error handler: log with request context (never tokens), apologise with a reference."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse

from bot.commands.home import apology_reply
from bot.deps import Deps
from bot.render.blocks import render_message

__all__ = ["register", "request_summary"]

log = logging.getLogger("capacity_bot.slack")


def request_summary(body: dict[str, Any]) -> dict[str, Any]:
    """Who asked what: user, channel, the command or action text. Nothing secret."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    event = body.get("event") or {}
    actions = body.get("actions") or [{}]
    return {
        "kind": body.get("command") or body.get("type") or "unknown",
        "user": user or event.get("user"),
        "channel": body.get("channel_id") or (body.get("channel") or {}).get("id"),
        "text": body.get("text", actions[0].get("value") if actions else None),
        "event": event.get("type"),
    }


def register(app: AsyncApp, deps: Deps) -> None:
    async def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        respond: AsyncRespond | None,
    ) -> BoltResponse | None:
        reference = uuid.uuid4().hex[:8]
        log.error(
            "listener failed (ref %s): %s",
            reference,
            json.dumps(request_summary(body or {}), ensure_ascii=False)[:2000],
            exc_info=error,
        )
        message = render_message(apology_reply(reference))
        if response is not None:  # not acknowledged yet: apologise in the ack itself
            payload = json.dumps({"response_type": "ephemeral", **message})
            return BoltResponse(
                status=200, body=payload, headers={"content-type": "application/json"}
            )
        if respond is not None and (body or {}).get("response_url"):
            await respond(response_type="ephemeral", replace_original=False, **message)
        return None

    app.error(on_error)
