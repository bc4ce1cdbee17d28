"""Bolt wiring only: each module has `register(app, front)` and module-level callbacks that
take the `Front` as an argument; `register_all` hands it to them and registers them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.front import Front
from bot.slack.listeners import changes, commands, errors, home
from bot.slack.middleware import InContext

__all__ = ["register_all"]


def register_all(app: AsyncApp, front: Front) -> None:
    # Listeners take the Front as an argument named `front`.
    app.middleware(InContext("front", front))
    errors.register(app)
    commands.register(app)
    home.register(app)
    changes.register(app)
