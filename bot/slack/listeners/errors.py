"""The global error handler: log with request context (never tokens), apologise with a reference."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse

from bot.commands.router import apology_reply
from bot.render.blocks import render_message, render_modal

__all__ = [
    "apologise",
    "drain_background",
    "in_background",
    "on_error",
    "register",
    "request_summary",
]

log = logging.getLogger("capacity_bot.slack")

# Work started after the ack; held here so it is not garbage-collected mid-flight.
_TASKS: set[asyncio.Task[None]] = set()


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


def _log(error: BaseException, body: dict[str, Any]) -> str:
    reference = uuid.uuid4().hex[:8]
    log.error(
        "listener failed (ref %s): %s",
        reference,
        json.dumps(request_summary(body), ensure_ascii=False)[:2000],
        exc_info=error,
    )
    return reference


async def apologise(
    error: BaseException, body: dict[str, Any], respond: AsyncRespond | None
) -> None:
    """Log, then tell the person through response_url (for failures after the ack)."""
    reference = _log(error, body)
    if respond is not None and body.get("response_url"):
        message = render_message(apology_reply(reference))
        await respond(response_type="ephemeral", replace_original=False, **message)


def in_background(
    work: Awaitable[object],
    body: dict[str, Any],
    respond: AsyncRespond | None,
    *,
    on_error: Callable[[str], Awaitable[object]] | None = None,
) -> None:
    """Run `work` after the ack; a failure is apologised for like any listener error, or,
    given `on_error`, logged and followed up by `on_error(reference)` instead (for work whose
    failure must not read "try again", e.g. after an entry was stored).

    (With process_before_response=True Bolt answers Slack only when the listener returns,
    and without it Bolt's runner loses the ack if a listener raises after acking within its
    10 ms poll; so work after an ack runs here rather than in the listener itself.)
    """

    async def run() -> None:
        try:
            await work
        except Exception as error:
            if on_error is None:
                await apologise(error, body, respond)
                return
            reference = _log(error, body)
            try:
                await on_error(reference)
            except Exception:
                log.exception("follow-up for ref %s failed too", reference)

    task = asyncio.ensure_future(run())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def drain_background(timeout: float = 5.0) -> int:
    """Wait (at most `timeout` s) for work started after an ack; returns how many are
    still running. Called on shutdown so a Share post or Home publish is not cut off."""
    pending = {t for t in _TASKS if not t.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=timeout)
    if pending:
        log.warning("%d background task(s) still running at shutdown", len(pending))
    return len(pending)


async def on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: AsyncRespond | None,
) -> BoltResponse | None:
    if response is None:  # already acknowledged: answer through response_url
        await apologise(error, body or {}, respond)
        return None
    # Not acknowledged yet: apologise in the ack itself, in the form the surface takes.
    apology = apology_reply(_log(error, body or {}))
    if (body or {}).get("type") == "view_submission":
        # A form answers with a view, not a message: replace it with the apology.
        view = render_modal(apology, title="Sorry")
        answer: dict[str, Any] = {"response_action": "update", "view": view}
    else:
        answer = {"response_type": "ephemeral", **render_message(apology)}
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )


def register(app: AsyncApp) -> None:
    app.error(on_error)
