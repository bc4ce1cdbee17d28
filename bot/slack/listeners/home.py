"""The Home tab: published whenever someone opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.home import home_reply
from bot.render.blocks import render_home
from bot.slack.front import Front
from bot.slack.listeners.errors import in_background

__all__ = ["home_opened", "register"]


async def home_opened(event: dict[str, Any], client: AsyncWebClient, front: Front) -> None:
    if event.get("tab", "home") != "home":
        return
    user = str(event["user"])

    async def publish() -> None:
        view = render_home(home_reply(front.context(user), front.router))
        await client.views_publish(user_id=user, view=view)

    # After the ack, whatever process_before_response says: publishing may retry a 429.
    in_background(publish(), {"event": event}, None)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
