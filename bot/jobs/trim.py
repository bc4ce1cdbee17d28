"""Give memory back after a burst: once the bot has been quiet for a while after serving
requests, collect garbage and ask glibc to return its freed pages (`malloc_trim`).

glibc keeps the heap pages a burst freed (its arenas only shrink from the top), so an
idle bot stays at its burst's high-water mark; `malloc_trim(0)` hands the free pages
back. It walks the whole heap, so it runs once per burst, when the burst is over (no new
request for `quiet` seconds), never per request. Platforms without glibc skip the trim
and only collect.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import time
from collections.abc import Callable

__all__ = ["ARENAS", "QUIET", "IdleTrim", "limit_malloc_arenas", "malloc_trim"]

# How long without a new request before a burst counts as over.
QUIET = 30.0
# glibc's malloc arenas at most (mallopt M_ARENA_MAX); its default is 8 per core.
ARENAS = 2
_M_ARENA_MAX = -8  # <malloc.h>


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _glibc_trim() -> Callable[[], object] | None:
    libc = _glibc()
    trim = getattr(libc, "malloc_trim", None)  # glibc only (musl has none)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


_TRIM = _glibc_trim()


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` glibc malloc arenas; call at start, before any thread. Each worker
    thread (`asyncio.to_thread`) otherwise gets an arena of its own, and after a burst
    through them every one keeps its touched pages, a few hundred KB each, past the trim
    (docs/PERFORMANCE.md). The threads share `arenas` instead; they hold the GIL for most
    of what they allocate anyway. False where there is no glibc."""
    mallopt = getattr(_glibc(), "mallopt", None)
    if mallopt is None or _TRIM is None:  # not glibc (musl has neither)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))


def malloc_trim() -> bool:
    """Collect garbage, then return glibc's free heap pages; False where there is no glibc."""
    gc.collect()
    if _TRIM is None:
        return False
    _TRIM()
    return True


class IdleTrim:
    """Call `tick()` now and then (every minute, from the served app's idle loop):
    `activity()` is a count that rises with each request; after it rose, and then stayed
    still for `quiet` seconds, `tick` runs `trim` once and returns True."""

    def __init__(
        self,
        activity: Callable[[], int],
        *,
        quiet: float = QUIET,
        clock: Callable[[], float] = time.monotonic,
        trim: Callable[[], object] = malloc_trim,
    ) -> None:
        self.activity, self.quiet, self.clock, self.trim = activity, quiet, clock, trim
        self._seen = activity()
        self._changed = clock()
        self._pending = False  # requests came since the last trim
        self.trims = 0

    def tick(self) -> bool:
        now, count = self.clock(), self.activity()
        if count != self._seen:
            self._seen, self._changed, self._pending = count, now, True
            return False
        if not self._pending or now - self._changed < self.quiet:
            return False
        self._pending = False
        self.trim()
        self.trims += 1
        return True
