"""The `/capacity` commands, gathered into one router."""

from __future__ import annotations

from bot.commands import changes, digest, plan, sizing
from bot.commands.router import Command, CommandError, Context, Router

__all__ = ["Command", "CommandError", "Context", "Router", "build_router"]


def build_router() -> Router:
    router = Router()
    router.register(
        Command(
            "help", "help", "help", "Every command with an example", lambda args, ctx: router.help()
        )
    )
    for module in (plan, sizing, changes, digest):
        for command in module.COMMANDS:
            router.register(command)
    return router
