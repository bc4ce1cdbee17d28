"""Socket Mode's handler, observed like HTTP's /slack/events. A module of its own: Socket
Mode's client and websocket code is imported only when SLACK_APP_TOKEN selects it."""

from __future__ import annotations

from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.core.telemetry import Telemetry
from bot.slack.middleware import request_scope

__all__ = ["ObservedSocketModeHandler"]


class ObservedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode with the same request scope as HTTP's /slack/events."""

    def __init__(self, *args: Any, telemetry: Telemetry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.telemetry = telemetry

    # Typed as the aiohttp handler it extends, which narrows its base class's client type.
    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        body = req.payload if isinstance(req.payload, dict) else {}
        with request_scope(self.telemetry, body):
            await super().handle(client, req)
