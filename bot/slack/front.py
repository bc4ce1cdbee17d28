"""What the Slack listeners are handed: the shared Deps, the router and its answer cache.

Bolt gives it to every listener as the argument `front` (a middleware puts it in the
request's context; see `bot.slack.listeners.register_all`), so the callbacks can live at
module level and a test can call one with a Front of its own.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from bot.commands import Router, build_router
from bot.commands.router import busy_reply
from bot.context import Context
from bot.core.offload import in_child_process, runner
from bot.deps import Deps
from bot.reply import Reply
from bot.services.export import ExportFiles, export_files, prepare_export
from bot.slack.answers import Answers
from store import Store
from store.db import WRITE_WAIT, is_locked

T = TypeVar("T")

# The change form's error when the lock stayed held (Slack shows 150 characters of it).
FORM_BUSY = (
    "The database is busy (another process is writing to it), so nothing was saved. "
    "Submit again in a minute."
)

__all__ = [
    "FORM_BUSY",
    "HOME_REPUBLISH_LIMIT",
    "HOME_REPUBLISH_WINDOW",
    "Front",
    "HomeViewers",
    "build_front",
    "export_from_file",
]

HOME_REPUBLISH_LIMIT = 100
HOME_REPUBLISH_WINDOW = timedelta(days=7)


class HomeViewers:
    """Who opened Home, most recent last; never more than `limit` people."""

    def __init__(
        self, limit: int = HOME_REPUBLISH_LIMIT, window: timedelta = HOME_REPUBLISH_WINDOW
    ) -> None:
        self.limit = limit
        self.window = window
        self._seen: OrderedDict[str, datetime] = OrderedDict()

    def opened(self, user: str, now: datetime) -> None:
        self._seen[user] = now
        self._seen.move_to_end(user)
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def recent(self, now: datetime) -> list[str]:
        """Who opened Home within the window, most recent first."""
        since = now - self.window
        return [user for user, at in reversed(self._seen.items()) if at >= since]


@dataclass
class Front:
    deps: Deps
    answers: Answers
    # False: ack empty and answer through response_url (measured in bench/).
    answer_in_ack: bool = True
    # Who opened Home lately: republished after a plan reload (bot.slack.home).
    home_viewers: HomeViewers = field(default_factory=HomeViewers)

    @property
    def router(self) -> Router:
        return self.answers.router

    def context(self, user_id: str | None = None, channel_id: str | None = None) -> Context:
        return self.deps.context(user_id, channel_id)

    def write_wait(self) -> AbstractContextManager[None]:
        """Around a write someone waits on (on a worker thread): another process's lock is
        waited for WRITE_WAIT, then "database is locked" (an apology, never a frozen ack).
        An in-memory database (tests) has no other process, and one shared connection."""
        store = self.deps.store
        return nullcontext() if store.in_memory else store.lock_wait(WRITE_WAIT)

    async def write_reply(self, func: Callable[[], Reply]) -> Reply:
        """`write(func)`, its Reply the router's busy apology when the lock stayed held."""
        try:
            return await self.write(func)
        except Exception as exc:
            if not is_locked(exc):
                raise
            return busy_reply()

    async def write(self, func: Callable[[], T]) -> T:
        """`func()`, a write someone waits on, on a worker thread inside `write_wait`. In
        place for an in-memory database, whose one connection threads would share."""

        def waiting() -> T:
            with self.write_wait():
                return func()

        return await runner(self.deps.store.in_memory)(waiting)

    async def export(self, ctx: Context) -> ExportFiles:
        """The change log's export files, built away from the event loop: in a child
        process when the database is a file (`export_from_file`), else on a thread."""
        path = self.deps.store.path
        if self.deps.store.in_memory:  # another process cannot open it
            return await prepare_export(ctx)
        return await in_child_process(export_from_file, path)


def export_from_file(db_path: str) -> ExportFiles:
    """The export, read from the database file. In a child process: on a thread, the
    100,000 objects an export of that size builds set off the garbage collector's full
    passes, each holding every thread (the loop's too) for 0.2-0.3 s, and the memory they
    took would stay with the bot."""
    store = Store(db_path)
    try:
        return export_files(store.changes.all())
    finally:
        store.close()


def build_front(deps: Deps, *, answer_in_ack: bool = True, router: Router | None = None) -> Front:
    return Front(deps, Answers(router or build_router()), answer_in_ack=answer_in_ack)
