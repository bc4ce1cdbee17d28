"""The Home tab: published whenever someone opens it (and, by `bot.slack.home`, again after
a plan reload for those who opened it lately)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.front import Front
from bot.slack.home import publish_home
from bot.slack.listeners.errors import in_background

__all__ = ["home_opened", "register"]


async def home_opened(event: dict[str, Any], client: AsyncWebClient, front: Front) -> None:
    if event.get("tab", "home") != "home":
        return
    user = str(event["user"])
    front.home_viewers.opened(user, front.deps.clock())
    # After the ack, whatever process_before_response says: publishing may retry a 429.
    in_background(publish_home(client, front, user), {"event": event}, None)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
