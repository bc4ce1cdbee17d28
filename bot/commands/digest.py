"""`/capacity digest`: a preview of the weekly digest, only to the person who asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, tzinfo

from bot.commands.args import extra_words
from bot.commands.router import Command, Context
from bot.digest.build import build_digest
from bot.digest.data import DigestInput, DigestSource, empty_input
from bot.reply import Reply

__all__ = ["COMMANDS", "digest_input"]

PREVIEW_NOTE = "Preview: only you can see this. The digest itself posts to the alerts channel."


def _zone(ctx: Context) -> tzinfo:
    settings = ctx.services.get("settings")
    zone = getattr(settings, "zone", None)
    return zone if isinstance(zone, tzinfo) else UTC


def digest_input(ctx: Context) -> DigestInput:
    """From the `digest_source` service when there is one, else the plan alone."""
    source: DigestSource | None = ctx.services.get("digest_source")
    if source is None:
        return empty_input(ctx.plan, ctx.now, _zone(ctx))
    return source.digest_input(ctx.now)


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
        "A preview of the weekly digest, only to you",
        digest,
    ),
)
