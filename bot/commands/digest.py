"""`/capacity digest`: a preview of the digest of the current slot of CAPACITY_DIGEST_CRON,
only to the person who asked (its data gathered by `bot.digest.gather`)."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.args import extra_words
from bot.commands.router import Command, Context
from bot.digest.build import build_digest
from bot.digest.data import (
    DigestInput,
    empty_input,
)
from bot.digest.gather import gather_digest_input
from bot.digest.schedule import current_slot
from bot.reply import Reply

__all__ = ["COMMANDS", "digest_input"]

PREVIEW_NOTE = "Preview: only you can see this. The digest itself posts to the alerts channel."


def digest_input(ctx: Context) -> DigestInput:
    """What the digest at the end of the current slot will cover, as far as it has got:
    the time since the slot started (CAPACITY_DIGEST_CRON; a week without settings).
    From the store when there is one, else the plan alone."""
    found = current_slot(ctx.settings.digest_cron, ctx.zone, ctx.now) if ctx.settings else None
    since, slot = found if found is not None else (None, None)
    if ctx.store is None:
        return replace(empty_input(ctx.plan, ctx.now, ctx.zone), since=since, slot=slot)
    return gather_digest_input(ctx.plan, ctx.store, ctx.now, ctx.zone, since, slot)


def digest(args: list[str], ctx: Context) -> Reply:
    if args:
        raise extra_words("digest", args, "nothing after it", "digest")
    reply = build_digest(digest_input(ctx))
    return replace(reply, notes=(*reply.notes, PREVIEW_NOTE))


COMMANDS = (
    Command(
        "digest",
        "digest",
        "digest",
        "A preview of the digest so far (its current slot), only to you",
        digest,
        reads=frozenset({"clock", "settings", "store"}),
    ),
)
