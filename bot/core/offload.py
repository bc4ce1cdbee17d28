"""Work that must not hold the event loop: a worker thread, or a child process.

A slash command must be acked within Slack's 3 seconds, and every request shares one
event loop; so SQLite work that can take more than a few milliseconds runs in a thread
(the store gives each thread its own connection), and CPU-heavy work whose imports are
large (matplotlib for the digest chart) runs in a child process started for it and
stopped after, so its memory goes back to the system with it.

A child never outlives the bot, however the bot dies (a SIGKILL included): each child
asks Linux for SIGKILL when its parent dies (PR_SET_PDEATHSIG) and, where that is not
available, a thread in the child watches the parent and ends the child when it is gone.
multiprocessing's resource tracker ends by itself once every holder of its pipe (the bot
and its children) is gone.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import ParamSpec, Protocol, TypeVar

__all__ = ["Run", "die_with_parent", "in_child_process", "in_place", "in_thread", "runner"]

P = ParamSpec("P")
T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# How often a child without the parent-death signal looks for its parent.
WATCH_EVERY = 0.5


async def in_thread(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(*args, **kwargs)` on a worker thread (the loop's default executor)."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def in_place(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(*args, **kwargs)` right here, on the caller's thread: `in_thread`'s stand-in
    for an in-memory database (tests), which lives in one connection every thread would
    share and whose lock no other process can hold."""
    return func(*args, **kwargs)


class Run(Protocol):
    """How a blocking call is run: `in_thread`, or `in_place` (a benchmark passes the
    latter to compare the two)."""

    def __call__(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]: ...


def runner(in_memory: bool) -> Run:
    """How a store's blocking calls run: on a worker thread; in place for an in-memory
    database (`Store.in_memory`)."""
    return in_place if in_memory else in_thread


def _parent_death_signal() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies. False off Linux."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)  # reparented: the bot is gone, and so is whoever wanted our answer


def die_with_parent(parent: int) -> None:
    """Run first in every child (the pool's initializer): end when `parent` ends.

    The kernel's parent-death signal follows the *thread* that started the child; children
    are started from the event loop's thread, which lives as long as the bot. The watcher
    thread covers systems without the signal.
    """
    if not _parent_death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="watch-parent").start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


async def in_child_process(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in a fresh child process, stopped once it has answered.

    `func` and its arguments must pickle (a module-level function, plain data). "spawn",
    not fork: the bot has threads, and a forked copy of a threaded process can deadlock.
    """
    import multiprocessing  # here: most runs of the bot never start a child
    from concurrent.futures import ProcessPoolExecutor

    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        # submit() starts the child on this (the loop's) thread: see die_with_parent.
        return await loop.run_in_executor(pool, func, *args)
    finally:
        # Joining the child takes a moment; do it off the loop too.
        await asyncio.to_thread(pool.shutdown, wait=True)
