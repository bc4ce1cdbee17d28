"""How late the event loop runs: measured all the time, reported by /healthz and /metrics.

A task sleeps `interval` again and again; how much later than asked it wakes is the
loop's lag (what any request arriving then would wait). /healthz reports the worst lag
of the last minute; `observers` get every measurement (the /metrics histogram).

A stall can only be measured once it is over, and by then nobody knows what caused it;
so a watchdog thread checks the task's heartbeat and, when the loop has not come round
for `threshold` (1 s), logs once, while the stall lasts, which task was running and
where (the loop thread's innermost frames).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["LAG_BUCKETS", "LagCollector", "LoopLag", "running_on"]

log = logging.getLogger("capacity_bot.loop")

# Upper bounds in seconds: Slack's 3 s ack limit is the one that matters.
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def running_on(loop: asyncio.AbstractEventLoop, thread_id: int, depth: int = 4) -> str:
    """What a loop's thread is doing right now, from another thread: the current task's
    name and coroutine, and the innermost `depth` frames."""
    parts = []
    task = asyncio.current_task(loop)
    if task is not None:
        coro = task.get_coro()
        name = getattr(coro, "__qualname__", type(coro).__name__)
        parts.append(f"task {task.get_name()} ({name})")
    frame = sys._current_frames().get(thread_id)
    if frame is not None:
        stack = traceback.extract_stack(frame)[-depth:]
        where = (f"{f.name} ({f.filename.rsplit('/', 2)[-1]}:{f.lineno})" for f in stack[::-1])
        parts.append(" <- ".join(where))
    return "; ".join(parts) or "unknown"


class LoopLag:
    def __init__(
        self,
        *,
        interval: float = 0.1,
        window: float = 60.0,
        threshold: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval, self.window, self.threshold, self.clock = interval, window, threshold, clock
        self.observers: list[Callable[[float], Any]] = []
        self.stalls = 0  # stalls over `threshold` seen by the watchdog
        self.buckets = [0] * (len(LAG_BUCKETS) + 1)  # the last one: over the largest bound
        self.total = 0.0
        self.count = 0
        self._recent: deque[tuple[float, float]] = deque()  # (when, lag) in the window
        self._beat = clock()
        self._task: asyncio.Task[None] | None = None
        self._watchdog: threading.Thread | None = None
        self._stop = threading.Event()

    # -- measuring -----------------------------------------------------------------------

    def observe(self, lag: float, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self._beat = now
        self.total += lag
        self.count += 1
        index = next((i for i, bound in enumerate(LAG_BUCKETS) if lag <= bound), -1)
        self.buckets[index] += 1
        recent = self._recent
        # Keep only what can still be the worst of the window: a falling sequence.
        while recent and recent[-1][1] <= lag:
            recent.pop()
        recent.append((now, lag))
        for observer in self.observers:
            observer(lag)

    def worst(self, now: float | None = None) -> float:
        """The worst lag (seconds) measured in the last `window`."""
        now = self.clock() if now is None else now
        while self._recent and self._recent[0][0] < now - self.window:
            self._recent.popleft()
        return self._recent[0][1] if self._recent else 0.0

    def health(self) -> dict[str, Any]:
        """For /healthz: the worst lag of the last minute, and stalls over the threshold."""
        return {
            "lag_worst_ms": round(self.worst() * 1000, 1),
            "window_s": self.window,
            "stalls_over_threshold": self.stalls,
            "threshold_ms": round(self.threshold * 1000),
        }

    def histogram(self) -> tuple[list[tuple[float, int]], float, int]:
        """For /metrics (`capacity_bot_loop_lag_seconds`): cumulative counts per upper
        bound, the last one +Inf, then the sum of all lags and their number."""
        cumulative, running = [], 0
        for bound, count in zip((*LAG_BUCKETS, float("inf")), self.buckets, strict=True):
            running += count
            cumulative.append((bound, running))
        return cumulative, self.total, self.count

    async def _measure(self) -> None:
        while True:
            asked = self.clock() + self.interval
            await asyncio.sleep(self.interval)
            now = self.clock()
            self.observe(max(0.0, now - asked), now)

    # -- the watchdog --------------------------------------------------------------------

    def _watch(self, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        reported_beat: float | None = None
        while not self._stop.wait(min(self.threshold / 4, 0.25)):
            beat = self._beat
            late = self.clock() - beat - self.interval
            if late > self.threshold and beat != reported_beat:
                reported_beat = beat
                self.stalls += 1
                log.warning(
                    "event loop blocked for over %.1f s; running: %s",
                    late,
                    running_on(loop, thread_id),
                )

    def start(self) -> None:
        """Start measuring on the running loop, and the watchdog thread beside it."""
        loop = asyncio.get_running_loop()
        self._beat = self.clock()
        self._stop.clear()
        self._task = loop.create_task(self._measure(), name="loop-lag")
        self._watchdog = threading.Thread(
            target=self._watch,
            args=(loop, threading.get_ident()),
            name="loop-lag-watchdog",
            daemon=True,
        )
        self._watchdog.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._watchdog is not None:
            await asyncio.to_thread(self._watchdog.join, 2.0)
            self._watchdog = None


class LagCollector:
    """`capacity_bot_loop_lag_seconds`, a histogram, for /metrics (a prometheus-client
    collector, read at scrape time)."""

    def __init__(self, lag: LoopLag) -> None:
        self.lag = lag

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import HistogramMetricFamily
        from prometheus_client.utils import floatToGoString

        buckets, total, _ = self.lag.histogram()
        yield HistogramMetricFamily(
            "capacity_bot_loop_lag_seconds",
            "How late the event loop ran a task that asked to run (every 0.1 s): what a "
            "request arriving then waited before anything of it ran.",
            buckets=[(floatToGoString(bound), count) for bound, count in buckets],
            sum_value=total,
        )
