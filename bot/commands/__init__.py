"""The `/capacity` commands, gathered into one router."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import changes, digest, metrics, plan, sizing
from bot.commands.args import extra_words
from bot.commands.router import Command, CommandError, Context, Router
from bot.reply import Reply

__all__ = ["Command", "CommandError", "Context", "Router", "build_router"]


# Commands that change something when run (`changes` can delete and restore entries).
WRITES = frozenset({"log", "changes", "metric", "silence"})


def _help(router: Router, args: list[str]) -> Reply:
    if args:
        raise extra_words("help", args, "nothing after it: it lists every command", "help")
    return router.help()


def build_router() -> Router:
    router = Router()
    router.register(
        Command(
            "help",
            "help",
            "help",
            "Every command with an example",
            lambda args, ctx: _help(router, args),
            plan_only=True,
        )
    )
    for module in (plan, sizing, changes, digest, metrics):
        for command in module.COMMANDS:
            if command.name == "triggers":
                # The plan's triggers plus each rule's live state when a store is at hand.
                command = replace(command, handler=metrics.with_live_state(command.handler))
            elif module in (plan, sizing):
                command = replace(command, plan_only=True)
            if command.name in WRITES:
                command = replace(command, writes=True)
            router.register(command)
    return router
