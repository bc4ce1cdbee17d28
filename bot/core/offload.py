"""Work that must not hold the event loop: a worker thread, or a child process.

A slash command must be acked within Slack's 3 seconds, and every request shares one
event loop; so SQLite work that can take more than a few milliseconds runs in a thread
(the store gives each thread its own connection), and CPU-heavy work whose imports are
large (matplotlib for the digest chart) runs in a child process started for it and
stopped after, so its memory goes back to the system with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["in_child_process", "in_thread"]

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(*args, **kwargs)` on a worker thread (the loop's default executor)."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def in_child_process(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in a fresh child process, stopped once it has answered.

    `func` and its arguments must pickle (a module-level function, plain data). "spawn",
    not fork: the bot has threads, and a forked copy of a threaded process can deadlock.
    """
    import multiprocessing  # here: most runs of the bot never start a child
    from concurrent.futures import ProcessPoolExecutor

    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await loop.run_in_executor(pool, func, *args)
    finally:
        # Joining the child takes a moment; do it off the loop too.
        await asyncio.to_thread(pool.shutdown, wait=True)
