"""The `/capacity` commands, gathered into one router."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import changes, digest, metrics, plan, sizing, tiers
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context, Router

__all__ = ["Command", "CommandError", "Context", "Router", "build_router"]


def build_router() -> Router:
    router = Router()
    router.register(
        Command(
            "help",
            "help",
            "help",
            "Every command with an example",
            lambda args, ctx: router.help(),
            reads=PLAN_ONLY,
        )
    )
    for module in (plan, sizing, changes, digest, metrics, tiers):
        for command in module.COMMANDS:
            if command.name == "triggers":
                # The plan's triggers plus each rule's live state when a store is at hand.
                command = replace(
                    command,
                    handler=metrics.with_live_state(command.handler),
                    reads=frozenset({"store", "clock", "settings"}),
                )
            router.register(command)
    return router
