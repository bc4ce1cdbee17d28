"""Around every Slack request: log context, the ack latency, the metered Web API client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Router
from bot.logs import log_context
from bot.reply import Reply
from bot.telemetry import Telemetry

__all__ = ["command_label", "count_command", "request_kind", "request_middleware"]

Middleware = Callable[..., Awaitable[BoltResponse]]


def request_kind(body: dict[str, Any]) -> str:
    """command, action, view or event: the label of the ack latency histogram."""
    if body.get("command"):
        return "command"
    kind = str(body.get("type") or "")
    if kind == "event_callback":
        return "event"
    if kind.startswith("view_"):
        return "view"
    return "action"


def command_label(router: Router, text: str) -> str:
    """The command's name (aliases folded), or `unknown`: a bounded set of label values."""
    command = router.command_for(text)
    return command.name if command is not None else "unknown"


def count_command(telemetry: Telemetry, router: Router, text: str, reply: Reply) -> None:
    name = command_label(router, text)
    if not reply.error:
        outcome = "ok"
    elif name == "unknown":
        outcome = "unknown"
    elif any(note.startswith("Reference:") for note in reply.notes):
        outcome = "failed"  # our bug, apologised for
    else:
        outcome = "error"  # the person's input
    telemetry.command_served(name, outcome)


def request_middleware(
    telemetry: Telemetry,
    router: Router,
    client: AsyncWebClient,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Middleware:
    """A Bolt global middleware (after Bolt's own: signature checked, authorized)."""

    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        started = clock()
        body = req.body
        kind = request_kind(body)
        # Bolt hands listeners a fresh client per request, copied from the app's settings
        # but not its class: give them the metered one (one workspace, one static token).
        req.context["client"] = client
        event = body.get("event") or {}
        user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
        fields = {
            "request_id": uuid.uuid4().hex[:12],
            "kind": kind,
            "command": command_label(router, str(body.get("text") or ""))
            if kind == "command"
            else None,
            "event": event.get("type"),
            "user": user,
        }
        with log_context(**fields):
            try:
                return await next()
            finally:
                telemetry.ack_seconds.labels(kind=kind).observe(clock() - started)

    return middleware
