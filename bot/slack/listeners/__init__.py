"""Bolt wiring only: each module has `register(app, front)` and module-level callbacks that
take the `Front` as an argument; `register_all` hands it to them and registers them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.front import Front
from bot.slack.listeners import changes, commands, errors, home

__all__ = ["register_all"]


def register_all(app: AsyncApp, front: Front) -> None:
    async def provide_front(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        # Bolt passes what is in the request's context to listeners by argument name.
        context["front"] = front
        await next()

    app.middleware(provide_front)
    errors.register(app)
    commands.register(app)
    home.register(app)
    changes.register(app)
