"""Bolt wiring only: each module has `register(app, front)` and module-level callbacks that
take the `Front` as an argument; `register_all` hands it to them and registers them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.front import Front
from bot.slack.listeners import changes, commands, errors, home

__all__ = ["ProvideFront", "register_all"]


class ProvideFront(AsyncMiddleware):
    """Puts the Front in every request's context; Bolt passes what is in the context to
    listeners by argument name. A middleware class, not a function: Bolt calls it as it
    is, where a function middleware has all of Bolt's listener arguments built for it
    first (a third of Bolt's own cost of a request; docs/PERFORMANCE.md)."""

    def __init__(self, front: Front) -> None:
        self.front = front

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        req.context["front"] = self.front
        return await next()


def register_all(app: AsyncApp, front: Front) -> None:
    app.middleware(ProvideFront(front))
    errors.register(app)
    commands.register(app)
    home.register(app)
    changes.register(app)
