"""Bolt wiring only: each module has `register(app, deps)`; `register_all` calls them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.slack.listeners import changes, commands, errors, home

__all__ = ["register_all"]


def register_all(app: AsyncApp, deps: Deps, *, answer_in_ack: bool = True) -> None:
    errors.register(app, deps)
    commands.register(app, deps, answer_in_ack=answer_in_ack)
    home.register(app, deps)
    changes.register(app, deps)
