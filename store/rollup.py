"""Hourly rollups and pruning of raw samples, in bounded transactions.

A backfill of a year leaves millions of raw rows to roll up; one statement over all of
them holds SQLite's write lock for seconds. So the work goes metric by metric, a span of
hours at a time, each span its own short transaction sized to take about CHUNK_SECONDS,
with `pause` between them so another writer (the ingest endpoint, the change log) gets
the lock. Every query names its metric, so it walks the (metric, at) key instead of
scanning the table. Run it on a worker thread: it is long by nature, only not in one piece.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from store.tx import atomic

__all__ = ["CHUNK_SECONDS", "HOUR", "rollup_and_prune"]

HOUR = 3600
# How long one transaction may hold the write lock, roughly.
CHUNK_SECONDS = 0.02
_MAX_SPAN = 24 * 30 * HOUR
_KEEP_ROLLUPS = 731 * 24 * HOUR

_ROLLUP = (
    " SELECT metric, CAST(at / 3600 AS INTEGER) * 3600 AS h, min(value), max(value),"
    " avg(value),"
    " (SELECT s2.value FROM samples s2 WHERE s2.metric = s.metric"
    "  AND s2.at < CAST(s.at / 3600 AS INTEGER) * 3600 + 3600 ORDER BY s2.at DESC"
    "  LIMIT 1), count(*)"
    " FROM samples s WHERE metric = ? AND at >= ? AND at < ? GROUP BY metric, h"
)
_INSERT = "INSERT OR REPLACE INTO sample_rollups (metric, hour, min, max, mean, last, count)"
_MERGE = (
    "INSERT INTO sample_rollups (metric, hour, min, max, mean, last, count)"
    + _ROLLUP
    + " ON CONFLICT (metric, hour) DO UPDATE SET"
    " min = min(sample_rollups.min, excluded.min),"
    " max = max(sample_rollups.max, excluded.max),"
    " mean = (sample_rollups.mean * sample_rollups.count"
    "  + excluded.mean * excluded.count)"
    "  / (sample_rollups.count + excluded.count),"
    " count = sample_rollups.count + excluded.count"
)


def _no_pause(seconds: float) -> None:
    return None


def _metrics(conn: sqlite3.Connection) -> list[str]:
    """Every metric with raw samples: one key lookup each (a skip scan), no table scan."""
    names: list[str] = []
    row = conn.execute("SELECT min(metric) FROM samples").fetchone()
    while row[0] is not None:
        names.append(row[0])
        row = conn.execute("SELECT min(metric) FROM samples WHERE metric > ?", [row[0]]).fetchone()
    return names


class _Spans:
    """Transactions of about CHUNK_SECONDS: the span of hours grows or shrinks to fit."""

    def __init__(self, conn: sqlite3.Connection, pause: Callable[[float], None]) -> None:
        self.conn, self.pause = conn, pause
        self.span = 24 * HOUR

    def run(self, start: int, end: int, step: Callable[[int, int], int]) -> int:
        """`step(a, b)` inside one transaction for consecutive hour-aligned [a, b) spans
        covering [start, end); returns the sum of what the steps return."""
        total = 0
        a = start
        while a < end:
            b = min(end, a + self.span)
            began = time.perf_counter()
            with atomic(self.conn):
                total += step(a, b)
            took = time.perf_counter() - began
            if took < CHUNK_SECONDS / 2:
                self.span = min(_MAX_SPAN, self.span * 2)
            elif took > CHUNK_SECONDS and self.span > HOUR:
                self.span = max(HOUR, self.span // 2 // HOUR * HOUR)
            self.pause(min(took, CHUNK_SECONDS))
            a = b
        return total


def rollup_and_prune(
    conn: sqlite3.Connection,
    now_ts: float,
    retention_seconds: float,
    *,
    pause: Callable[[float], None] = _no_pause,
) -> tuple[int, int]:
    """Roll complete hours up and drop raw samples older than the retention.

    Every hour with raw samples is rolled up before its samples are pruned: the hours
    since the last run (the last day too, cheaply), and every hour a write touched
    since (`rollup_dirty`), however old, so a backfilled sample is never pruned
    unseen. An hour whose raw rows an earlier prune already dropped is not
    recomputed from what is left: its late samples are merged into the rollup (min,
    max, count, mean; `last` stays, their order against the pruned rows is unknown).
    A touched hour is cleared in the transaction that rolls it up, so a sample written
    while this runs is rolled up next time. The prune cutoff is an hour boundary.
    Idempotent; safe to stop half way (the mark moves only at the end). Rollups older
    than two years go. Returns (hours rolled up, raw rows pruned).
    """
    current_hour = int(now_ts) // HOUR * HOUR
    cutoff = int(now_ts - retention_seconds) // HOUR * HOUR
    default_start = max(cutoff, current_hour - 24 * HOUR)
    mark = conn.execute(
        "SELECT rolled_through, pruned_before FROM rollup_mark WHERE id = 1"
    ).fetchone()
    pruned_before = int(mark[1]) if mark is not None and mark[1] is not None else None
    spans = _Spans(conn, pause)
    rolled = 0
    starts: dict[str, int] = {}
    for metric in _metrics(conn):
        if mark is None or mark[0] is None:
            oldest = conn.execute("SELECT min(at) FROM samples WHERE metric = ?", [metric])
            start = min(default_start, int(oldest.fetchone()[0]) // HOUR * HOUR)
        else:
            # Hours after the last run (or the job was down) are rolled up before any prune.
            start = min(default_start, int(mark[0]))
        if pruned_before is not None:
            start = max(start, pruned_before)  # below it the raw rows are partial
        starts[metric] = start

        def roll(a: int, b: int, metric: str = metric) -> int:
            count = conn.execute(_INSERT + _ROLLUP, [metric, a, b]).rowcount
            conn.execute(
                "DELETE FROM rollup_dirty WHERE metric = ? AND hour >= ? AND hour < ?",
                [metric, a, b],
            )
            return count

        rolled += spans.run(start, current_hour, roll)
    # Touched hours the spans above did not cover, a batch of them a transaction.
    dirty = [
        (metric, hour)
        for metric, hour in conn.execute(
            "SELECT metric, hour FROM rollup_dirty WHERE hour < ? ORDER BY hour, metric",
            [current_hour],
        ).fetchall()
        if hour < starts.get(metric, current_hour)
    ]
    for first in range(0, len(dirty), 100):
        with atomic(conn):
            for metric, hour in dirty[first : first + 100]:
                args = [metric, hour, hour + HOUR]
                where = "metric = ? AND at >= ? AND at < ?"
                if pruned_before is None or hour >= pruned_before:
                    rolled += conn.execute(_INSERT + _ROLLUP, args).rowcount
                else:
                    rolled += conn.execute(_MERGE, args).rowcount
                    # Merged once: these rows must not be counted again by a later merge.
                    conn.execute("DELETE FROM samples WHERE " + where, args)
                conn.execute(
                    "DELETE FROM rollup_dirty WHERE metric = ? AND hour = ?", [metric, hour]
                )
        pause(0.001)
    pruned = 0
    for metric in _metrics(conn):
        oldest = conn.execute("SELECT min(at) FROM samples WHERE metric = ?", [metric])
        first_hour = int(oldest.fetchone()[0]) // HOUR * HOUR

        def prune(a: int, b: int, metric: str = metric) -> int:
            return conn.execute(
                "DELETE FROM samples WHERE metric = ? AND at >= ? AND at < ?", [metric, a, b]
            ).rowcount

        pruned += spans.run(first_hour, cutoff, prune)
    with atomic(conn):
        conn.execute("DELETE FROM sample_rollups WHERE hour < ?", [current_hour - _KEEP_ROLLUPS])
        conn.execute(
            "INSERT OR REPLACE INTO rollup_mark (id, rolled_through, pruned_before)"
            " VALUES (1, ?, ?)",
            [current_hour, cutoff if pruned_before is None else max(cutoff, pruned_before)],
        )
    return rolled, pruned
