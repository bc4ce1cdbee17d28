"""`status`'s word on the database: the file the bot writes is the one at CAPACITY_DB,
writes succeed, and the last rule evaluation did; each problem with its fix."""

from __future__ import annotations

import logging

from bot.commands.router import Context
from bot.commands.tiers import answering_store
from bot.reply import Section

__all__ = ["database_part"]

log = logging.getLogger(__name__)


def database_part(ctx: Context) -> Section | None:
    """None when the store keeps what the bot writes (or there is no store here)."""
    store = answering_store(ctx)
    vitals = getattr(store, "vitals", None)
    if vitals is None:
        return None
    try:
        problems = vitals.problems()
    except Exception:
        log.exception("database report failed")
        return None
    lines = tuple(f"⚠️ {what}. Fix: {fix}." for what, fix in problems)
    return Section("Database", lines) if lines else None
