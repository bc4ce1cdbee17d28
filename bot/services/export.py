"""Exports built after the answer that asked for them: the change log as Markdown and CSV
(`ExportChanges`), the plan as the template's document with live figures (`ExportPlan`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.commands.router import CommandError, Context
from bot.context import CommandStore
from bot.domain.changes import Change
from bot.planio.changelog import to_csv, to_markdown

__all__ = ["ExportFiles", "export_entries", "export_files", "plan_document", "prepare_export"]


def _store(ctx: Context) -> CommandStore:
    if ctx.store is None:
        raise CommandError("The change log needs a database; run the bot with CAPACITY_DB.")
    return ctx.store


@dataclass(frozen=True)
class ExportFiles:
    """The built export."""

    markdown: str
    csv: str
    count: int
    markdown_name: str = "change-log.md"
    csv_name: str = "change-log.csv"


def export_entries(ctx: Context) -> list[Change]:
    """What an export holds: every live entry, oldest first."""
    return _store(ctx).changes.all()


def export_files(entries: list[Change]) -> ExportFiles:
    """Format an export (pure; slow for a large log, so run it off the event loop)."""
    return ExportFiles(markdown=to_markdown(entries), csv=to_csv(entries), count=len(entries))


def _build_export(ctx: Context) -> ExportFiles:
    return export_files(export_entries(ctx))


async def prepare_export(ctx: Context) -> ExportFiles:
    """Read and format the log on a worker thread, so other requests are answered
    meanwhile. (The Slack front end builds a large export in a child process instead:
    see `bot.slack.listeners.changes`.)"""
    return await asyncio.to_thread(_build_export, ctx)


async def plan_document(ctx: Context) -> str:
    """The live document for `ExportPlan`: the plan with the store's figures, if any."""
    from bot.planio.doc_verbatim import document_source, export_plan_document
    from bot.planio.doc_write import Live
    from bot.planio.live import plan_document as render

    source = await asyncio.to_thread(document_source, ctx.plan_source)
    if ctx.store is None:
        today = ctx.now.astimezone(ctx.zone).date().isoformat()
        return await asyncio.to_thread(export_plan_document, ctx.plan, Live(today=today), source)
    return await render(ctx.plan, ctx.store, ctx.now, ctx.zone, source)
