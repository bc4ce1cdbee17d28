"""Around every Slack request: log context, the ack latency, the metered Web API client."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Router
from bot.core.logs import log_context
from bot.core.logsafe import escape_controls
from bot.core.telemetry import Telemetry
from bot.reply import Reply

__all__ = [
    "InContext",
    "client_middleware",
    "command_label",
    "count_command",
    "request_kind",
    "request_scope",
]


# Unique within the process and cheap (this runs on every request): the process's start
# and a counter, e.g. 1a2b3c-2f.
_PROCESS = uuid.uuid4().hex[:6]
_REQUEST_IDS = (f"{_PROCESS}-{n:x}" for n in itertools.count(1))


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
    """The command's name (aliases folded), or `unknown`: a bounded set of label values.
    The first word only, without the router's full parse: this runs on every request."""
    words = text.split(None, 2)
    if words and words[0].lower() == "/capacity":
        words = words[1:]
    command = router.find(words[0]) if words else router.find("help")
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


def _first_word(text: str) -> str:
    """The command word for the log context (not a metric label: any word will do)."""
    words = text.split(None, 2)
    if words and words[0].lower() == "/capacity":
        words = words[1:]
    # Escaped: the log context is appended after the log filter has run.
    return escape_controls(words[0].lower()[:32]) if words else "help"


class request_scope:  # lower case: used like the function it was
    """Around one Slack request's dispatch, up to its ack: the request's log context (kept
    by tasks it starts) and the ack latency. Bolt runs its middleware one after another,
    not nested around the listener, so this wraps the dispatch itself. A class, not a
    generator context manager: it runs on every request (docs/PERFORMANCE.md)."""

    __slots__ = ("body", "clock", "context", "kind", "started", "telemetry")

    def __init__(
        self,
        telemetry: Telemetry,
        body: dict[str, Any],
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.telemetry, self.body, self.clock = telemetry, body, clock

    def __enter__(self) -> None:
        self.started = self.clock()
        body = self.body
        self.kind = kind = request_kind(body)
        event = body.get("event") or {}
        user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
        text = str(body.get("text") or "")
        self.context = log_context(
            request_id=next(_REQUEST_IDS),
            kind=kind,
            command=_first_word(text) if kind == "command" else None,
            event=event.get("type"),
            user=user,
        )
        self.context.__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            self.context.__exit__(*exc)
        finally:
            self.telemetry.acked(self.kind, self.clock() - self.started)


class InContext(AsyncMiddleware):
    """Puts one value in every request's context under `key`; Bolt passes what is in the
    context to listeners by argument name. A middleware class: Bolt calls it as it is,
    where a function middleware first has every listener argument built for it
    (a third of Bolt's own cost of a request; docs/PERFORMANCE.md)."""

    def __init__(self, key: str, value: object) -> None:
        self.key, self.value = key, value

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        req.context[self.key] = self.value
        return await next()


def client_middleware(client: AsyncWebClient) -> InContext:
    """Bolt hands listeners a fresh client per request, copied from the app's settings but
    not its class: give them ours, metered (one workspace, one static token)."""
    return InContext("client", client)
