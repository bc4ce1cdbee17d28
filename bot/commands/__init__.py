"""The `/capacity` commands, gathered into one router."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import (
    changes,
    digest,
    metrics,
    plan,
    plan_doc,
    reality,
    scenarios,
    sizing,
    spend,
    tiers,
    whatif,
)
from bot.commands.args import extra_words
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context, Router
from bot.reply import Reply

__all__ = ["Command", "CommandError", "Context", "Router", "build_router"]


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
            reads=PLAN_ONLY,
        )
    )
    for module in (
        plan,
        scenarios,
        sizing,
        changes,
        digest,
        metrics,
        tiers,
        plan_doc,
        spend,
        reality,
        whatif,
    ):
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
