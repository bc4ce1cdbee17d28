"""Small bounded in-memory memories for the intake: seen keys and a log-line budget.

Per process by design: two processes serving one app share only the database, so a replay
sent to the other process is caught there only by what the listeners store idempotently.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Hashable

__all__ = ["LogBudget", "SeenKeys"]


# The slot that marks "no key here" in the table; a key hashing to it is kept as _ZERO
# (an arbitrary 63-bit number: a key that is 0 collides only with one that unlikely).
_EMPTY = 0
_ZERO = 0x5BD1E9955BD1E995
# The smallest table: grown by doubling (rebuilt) while keys come, up to 2 x capacity.
_FIRST_SLOTS = 1024


class SeenKeys:
    """Keys seen in the last `ttl` seconds, at most `capacity` of them (oldest forgotten).

    Each key is kept as its hash (`hash(key)`: 64 bits for a string, an int's value modulo
    2**61 - 1, so a 64-bit HMAC prefix keeps 61 of its bits) in flat
    arrays, never as a Python object: an open-addressing table (linear probing, at most
    half full, so at most 2 x capacity slots rounded up to a power of two) and the keys
    in the order they came with their times (a queue in two arrays, compacted as the front
    moves on). A burst's keys therefore take no small-object (pymalloc) space: nothing of
    them pins the allocator's arenas once they are dropped, and when the memory empties
    (an idle bot, `prune`) the arrays go back to the allocator whole. Two keys with the
    same hash count as one: with 50,000 keys of 61 bits, a chance of ~2e-14 per request.
    """

    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float]) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self.max_slots = _FIRST_SLOTS
        while self.max_slots < 2 * capacity:
            self.max_slots *= 2
        self.added = 0  # keys remembered since start: how busy the intake has been
        self._empty()

    def _empty(self) -> None:
        self._table = array("q")  # allocated with the first key
        self._mask = -1
        self._keys = array("q")  # arrival order; the live ones are [_head:]
        self._times = array("d")
        self._head = 0

    def __len__(self) -> int:
        return len(self._keys) - self._head

    @property
    def nbytes(self) -> int:
        """Bytes the arrays' items take (the queue's dropped front included until compacted)."""
        return sum(a.buffer_info()[1] * a.itemsize for a in (self._table, self._keys, self._times))

    def _slot(self, h: int) -> int:
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            k = table[i]
            if k in (h, _EMPTY):
                return i
            i = (i + 1) & mask

    def _insert(self, h: int) -> None:
        if 2 * (len(self) + 1) > len(self._table):
            self._rebuild(max(_FIRST_SLOTS, 2 * len(self._table)))
        self._table[self._slot(h)] = h

    def _rebuild(self, slots: int) -> None:
        self._table = array("q", bytes(8 * min(slots, self.max_slots)))
        self._mask = len(self._table) - 1
        for h in self._keys[self._head :]:
            self._table[self._slot(h)] = h

    def _remove(self, h: int) -> None:
        # Backward-shift deletion: later keys of the same run move up into the gap, so a
        # lookup's probe still stops only at an empty slot (no tombstones to pile up).
        table, mask = self._table, self._mask
        i = self._slot(h)
        if table[i] == _EMPTY:
            return
        j = i
        while True:
            j = (j + 1) & mask
            k = table[j]
            if k == _EMPTY:
                break
            if (j - (k & mask)) & mask >= (j - i) & mask:  # k's home is not in (i, j]
                table[i] = k
                i = j
        table[i] = _EMPTY

    def _drop_oldest(self) -> None:
        self._remove(self._keys[self._head])
        self._head += 1
        if self._head == len(self._keys):
            self._empty()  # nothing left: the arrays go back to the allocator
        elif self._head >= _FIRST_SLOTS and 2 * self._head >= len(self._keys):
            del self._keys[: self._head], self._times[: self._head]
            self._head = 0

    def prune(self) -> int:
        """Forget the keys past their ttl (an idle bot holds nothing it no longer needs);
        returns how many were dropped."""
        now, dropped = self.clock(), 0
        while len(self) and now - self._times[self._head] > self.ttl:
            self._drop_oldest()
            dropped += 1
        return dropped

    def seen_or_add(self, key: Hashable) -> bool:
        """True when `key` was seen within the ttl; otherwise remember it and return False."""
        now = self.clock()
        while len(self) and (
            now - self._times[self._head] > self.ttl or len(self) >= self.capacity
        ):
            self._drop_oldest()
        h = hash(key) or _ZERO  # an int below 2**61 is its own hash
        if len(self) and self._table[self._slot(h)] == h:
            return True
        self._insert(h)
        self._keys.append(h)
        self._times.append(now)
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
