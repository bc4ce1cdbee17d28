"""The Home tab's publishing, and who sees it again after a plan reload.

Slack shows the last published view until the app publishes another, so a reload that
changed the plan republishes Home for the people who opened it lately (`Front.home_viewers`:
at most 100, within 7 days), one `views.publish` at a time (Tier 4, 100+ a minute), after
the reload's ack.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.home import home_reply
from bot.core.offload import in_thread
from bot.render.blocks import render_home
from bot.slack.front import Front

__all__ = ["publish_home", "republish_home"]

log = logging.getLogger(__name__)


async def publish_home(client: AsyncWebClient, front: Front, user: str) -> None:
    # Home reads the store (the latest samples, what fails first): off the event loop.
    reply = await in_thread(home_reply, front.context(user), front.router)
    view = render_home(reply)
    await client.views_publish(user_id=user, view=view)


async def republish_home(client: AsyncWebClient, front: Front) -> int:
    """Home again, from the live plan, for everyone who opened it lately; how many got it.
    One person's failure (left the workspace, rate limited past the client's retries) is
    logged and the rest still get theirs."""
    published = 0
    for user in front.home_viewers.recent(front.deps.clock()):
        try:
            await publish_home(client, front, user)
        except Exception as exc:
            log.warning("Home not republished for %s after the reload: %s", user, exc)
            continue
        published += 1
    return published
