"""The `/capacity` commands, gathered into one router."""

from __future__ import annotations

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
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context, Request, Router
from bot.reply import Reply

__all__ = ["Command", "CommandError", "Context", "Request", "Router", "build_router"]


def _help(router: Router, args: list[str], ctx: Context) -> Reply:
    if args:
        raise extra_words("help", args, "nothing after it: it lists every command", "help")
    return router.help(plan=ctx.plan)


def build_router() -> Router:
    router = Router()
    router.register(
        Command(
            "help",
            "help",
            "help",
            "Every command with an example",
            lambda args, ctx: _help(router, args, ctx),
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
            router.register(command)
    return router
