"""Small bounded in-memory memories for the intake: seen keys and a log-line budget.

Per process by design: two processes serving one app share only the database, so a replay
sent to the other process is caught there only by what the listeners store idempotently.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["LogBudget", "SeenKeys"]


class SeenKeys:
    """Keys seen in the last `ttl` seconds, at most `capacity` of them (oldest forgotten)."""

    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self.added = 0  # keys remembered since start: how busy the intake has been

    def __len__(self) -> int:
        return len(self._seen)

    def prune(self) -> int:
        """Forget the keys past their ttl (an idle bot holds nothing it no longer needs);
        returns how many were dropped."""
        now, dropped = self.clock(), 0
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self.ttl:
                break
            self._seen.pop(oldest)
            dropped += 1
        if not self._seen:
            self._seen = OrderedDict()  # a fresh one: the emptied one keeps its table
        return dropped

    def seen_or_add(self, key: Hashable) -> bool:
        """True when `key` was seen within the ttl; otherwise remember it and return False."""
        now = self.clock()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self.ttl and len(self._seen) < self.capacity:
                break
            self._seen.pop(oldest)
        if key in self._seen:
            return True
        self._seen[key] = now
        self.added += 1
        return False


class LogBudget:
    """At most `per_window` lines each `window` seconds; the rest are counted and reported in
    one line when the next window opens, so a flood of bad requests cannot flood the log."""

    def __init__(
        self,
        logger: logging.Logger,
        clock: Callable[[], float],
        *,
        per_window: int = 10,
        window: float = 60.0,
    ) -> None:
        self.logger = logger
        self.clock = clock
        self.per_window = per_window
        self.window = window
        self._start = clock()
        self._used = 0
        self._dropped = 0

    def warning(self, message: str) -> bool:
        """Log `message` (cut to 200 characters) if the budget allows; True when logged."""
        now = self.clock()
        if now - self._start >= self.window:
            if self._dropped:
                self.logger.warning(
                    "%d more rejected request(s) in the last %.0f s were not logged",
                    self._dropped,
                    now - self._start,
                )
            self._start, self._used, self._dropped = now, 0, 0
        if self._used >= self.per_window:
            self._dropped += 1
            return False
        self._used += 1
        self.logger.warning("%s", message[:200])
        return True
