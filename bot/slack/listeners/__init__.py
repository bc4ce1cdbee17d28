"""Bolt wiring only: each module has `register(app)` and module-level callbacks.
`register_all` registers them all and puts the `Front` in every request's context, from
where Bolt passes it to each callback as its argument named `front`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.front import Front
from bot.slack.listeners import changes, commands, errors, home
from bot.slack.middleware import InContext

__all__ = ["register_all"]


def register_all(app: AsyncApp, front: Front) -> None:
    app.middleware(InContext("front", front))
    errors.register(app)
    commands.register(app)
    home.register(app)
    changes.register(app)
