"""Scheduled plan work: the plan's change log stored at start, the plan file polled for
changes, and SIGHUP; each reloads through `bot.services.reload`."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.core.offload import runner
from bot.deps import Deps
from bot.planio.planfile import file_stamp
from bot.services.reload import ReloadOutcome, reload_plan_off_loop, seed_change_log
from store.vitals import STORE_ERRORS, describe_error

if TYPE_CHECKING:
    from datetime import datetime

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = ["on_sighup", "poll_plan_file", "reload_from_signal", "start_plan_jobs"]

log = logging.getLogger(__name__)


async def poll_plan_file(deps: Deps, now: datetime) -> ReloadOutcome | None:
    """Reload when the plan file changed on disk and has settled: its size and mtime were
    the same at the poll before (an editor or a script rewriting it in place writes it in
    chunks; a half-written file must not be applied). Errors go to the log, the old plan
    stays."""
    stamp = file_stamp(deps.settings.plan_path)  # one stat: cheap enough for the loop
    if stamp is None or stamp == deps.plan_stamp:
        deps.plan_settling = None
        return None
    if stamp != deps.plan_settling:
        deps.plan_settling = stamp  # changed since the last look: maybe still being written
        return None
    outcome = await reload_plan_off_loop(deps, by="a change of the plan file", now=now)
    if not outcome.applied:
        # Not again until the file changes once more.
        deps.plan_stamp = stamp
        log.error(
            "plan file changed but was refused; the old plan stays live:\n  %s",
            "\n  ".join(outcome.errors),
        )
    return outcome


async def reload_from_signal(deps: Deps) -> ReloadOutcome:
    """SIGHUP: reload; the person who sent it reads the log."""
    outcome = await reload_plan_off_loop(deps, by="SIGHUP", now=deps.clock())
    if not outcome.applied:
        log.error(
            "SIGHUP: the plan was refused; the old plan stays live:\n  %s",
            "\n  ".join(outcome.errors),
        )
    return outcome


_SIGNALLED: set[asyncio.Task[None]] = set()


def on_sighup(deps: Deps) -> None:
    """The SIGHUP handler: starts the reload as a task (a signal handler must not wait)."""

    async def run() -> None:
        try:
            await reload_from_signal(deps)
        except Exception:
            log.exception("plan reload failed")

    task = asyncio.ensure_future(run())
    _SIGNALLED.add(task)  # held until done: the loop keeps only a weak reference
    task.add_done_callback(_SIGNALLED.discard)


async def start_plan_jobs(deps: Deps, scheduler: AsyncIOScheduler, *, every: float = 5.0) -> None:
    """The plan's change log into the store (once), and the poll of the plan file.

    The change log is stored on a worker thread: another process may hold the write lock.
    If it stays held past the busy timeout the bot starts all the same (the entries are
    stored at the next start or reload: each is stored once, whenever)."""
    try:
        await runner(deps.store.in_memory)(seed_change_log, deps.plan, deps.store, deps.clock())
    except STORE_ERRORS as exc:
        log.warning("the plan's change log was not stored at start: %s", describe_error(exc))
    if deps.settings.plan_path is None:
        return

    async def poll() -> None:
        try:
            await poll_plan_file(deps, deps.clock())
        except Exception:
            log.exception("plan reload failed")

    scheduler.add_job(
        poll,
        "interval",
        seconds=every,
        id="plan.reload",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
