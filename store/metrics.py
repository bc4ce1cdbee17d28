"""Metric samples: raw rows for a retention window, hourly rollups for two years."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.monitoring import HourStat, Rollup, Sample, SourceStatus
from store import rollup
from store.db import Repository
from store.rollup import HOUR
from store.tx import atomic

__all__ = ["MIGRATIONS", "MetricStore", "Rollup", "SourceStatus"]

MIGRATIONS = Migrations("metrics")


@MIGRATIONS()
def m001_samples(db: sqlite_utils.Database) -> None:
    # (metric, at) is the key every query walks, so it is the table itself (WITHOUT ROWID):
    # no separate index to keep in step, and a re-sent sample replaces rather than doubles.
    db.execute(
        "CREATE TABLE IF NOT EXISTS samples ("
        " metric TEXT NOT NULL, at REAL NOT NULL, value REAL NOT NULL,"
        " PRIMARY KEY (metric, at)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS sample_rollups ("
        " metric TEXT NOT NULL, hour INTEGER NOT NULL,"
        " min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL, last REAL NOT NULL,"
        " count INTEGER NOT NULL, PRIMARY KEY (metric, hour)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS rollup_mark (id INTEGER PRIMARY KEY, rolled_through REAL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS metric_sources ("
        " name TEXT PRIMARY KEY, ok INTEGER NOT NULL, checked_at REAL NOT NULL,"
        " last_ok_at REAL, error TEXT)"
    )


@MIGRATIONS()
def m002_rollup_dirty(db: sqlite_utils.Database) -> None:
    # Hours a write touched since they were last rolled up, so a late or backfilled sample
    # is rolled up whatever its age; and where the last prune stopped, so an hour whose
    # raw rows are already gone is merged into its rollup rather than recomputed.
    db.execute(
        "CREATE TABLE IF NOT EXISTS rollup_dirty ("
        " metric TEXT NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (metric, hour)) WITHOUT ROWID"
    )
    columns = {r[1] for r in db.execute("PRAGMA table_info(rollup_mark)").fetchall()}
    if "pruned_before" not in columns:
        db.execute("ALTER TABLE rollup_mark ADD COLUMN pruned_before REAL")
    # Hours already held raw but never rolled up (samples that arrived late, before this).
    db.execute(
        "INSERT OR IGNORE INTO rollup_dirty (metric, hour)"
        " SELECT d.metric, d.h FROM (SELECT DISTINCT metric,"
        " CAST(at / 3600 AS INTEGER) * 3600 AS h FROM samples) d"
        " WHERE NOT EXISTS (SELECT 1 FROM sample_rollups r"
        " WHERE r.metric = d.metric AND r.hour = d.h)"
    )


@MIGRATIONS()
def m003_source_skipped(db: sqlite_utils.Database) -> None:
    # Samples a pull fetched but refused (outside the metric's range in the plan), so
    # /healthz and `status` can say what was skipped while the pull itself works.
    columns = {r[1] for r in db.execute("PRAGMA table_info(metric_sources)").fetchall()}
    if "skipped" not in columns:
        db.execute("ALTER TABLE metric_sources ADD COLUMN skipped TEXT")


def _ts(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return at.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class MetricStore(Repository):
    def add_batch(self, samples: Iterable[Sample]) -> int:
        """Store every sample in one transaction: all of them or, on any error, none."""
        return self.add_rows([(s.metric, _ts(s.at), s.value) for s in samples])

    def add_rows(self, rows: Sequence[tuple[str, float, float]]) -> int:
        """`add_batch` for (metric, unix seconds, value) rows: the ingestion fast path."""
        for metric, _, value in rows:
            if not math.isfinite(value):
                raise ValueError(f"{metric}: value must be finite")
        hours = {(metric, int(at) // HOUR * HOUR) for metric, at, _ in rows}
        with atomic(self.db.conn):
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO samples (metric, at, value) VALUES (?, ?, ?)", rows
            )
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO rollup_dirty (metric, hour) VALUES (?, ?)", hours
            )
        return len(rows)

    def latest(self, metric: str) -> Sample | None:
        row = self.db.execute(
            "SELECT at, value FROM samples WHERE metric = ? ORDER BY at DESC LIMIT 1", [metric]
        ).fetchone()
        if row is None:
            return None
        return Sample(metric=metric, at=_dt(row[0]), value=row[1])

    def window(self, metric: str, since: datetime, until: datetime) -> list[Sample]:
        """Raw samples with since <= at <= until, oldest first."""
        rows = self.db.execute(
            "SELECT at, value FROM samples WHERE metric = ? AND at >= ? AND at <= ? ORDER BY at",
            [metric, _ts(since), _ts(until)],
        ).fetchall()
        return [Sample(metric=metric, at=_dt(at), value=value) for at, value in rows]

    def hourly_means(self, metric: str, since: datetime, until: datetime) -> list[Sample]:
        """One point an hour (mean time, mean value): what a 28-day trend needs, at 672
        points a metric instead of 40,320 one-minute samples (and their memory)."""
        rows = self.db.execute(
            "SELECT avg(at), avg(value) FROM samples WHERE metric = ? AND at >= ? AND at <= ?"
            " GROUP BY CAST(at / 3600 AS INTEGER) ORDER BY 1",
            [metric, _ts(since), _ts(until)],
        ).fetchall()
        return [Sample(metric=metric, at=_dt(at), value=value) for at, value in rows]

    def hourly_extremes(
        self, metric: str, since: datetime, until: datetime
    ) -> list[tuple[datetime, float, float]]:
        """(hour, min, max) per hour: the rollups, and raw samples for hours not rolled up yet.

        What a forecast of peaks (or lows) needs: 672 rows for 28 days, whatever the rate.
        """
        start = int(_ts(since)) // HOUR * HOUR
        end = _ts(until)
        hours: dict[int, tuple[float, float]] = {}
        for hour, low, high in self.db.execute(
            "SELECT hour, min, max FROM sample_rollups"
            " WHERE metric = ? AND hour >= ? AND hour <= ?",
            [metric, start, end],
        ).fetchall():
            hours[int(hour)] = (low, high)
        rolled = max(hours, default=start - HOUR)
        for hour, low, high in self.db.execute(
            "SELECT CAST(at / 3600 AS INTEGER) * 3600, min(value), max(value) FROM samples"
            " WHERE metric = ? AND at >= ? AND at <= ? GROUP BY 1",
            [metric, max(_ts(since), rolled), end],
        ).fetchall():
            old = hours.get(int(hour))
            hours[int(hour)] = (low, high) if old is None else (min(old[0], low), max(old[1], high))
        return [(_dt(h), lo, hi) for h, (lo, hi) in sorted(hours.items())]

    def hourly_stats(self, metric: str, since: datetime, until: datetime) -> list[HourStat]:
        """(mean, min, max, count) per hour, oldest first: the rollups, and the raw samples
        for the hours since the newest rollup (not rolled up yet). So 28 days are 672 rows
        whatever the sample rate, and only the newest hours are aggregated from raw rows."""
        start = int(_ts(since)) // HOUR * HOUR
        end = _ts(until)
        hours: dict[int, tuple[float, float, float, int]] = {}
        for hour, low, high, mean, count in self.db.execute(
            "SELECT hour, min, max, mean, count FROM sample_rollups"
            " WHERE metric = ? AND hour >= ? AND hour <= ?",
            [metric, start, end],
        ).fetchall():
            hours[int(hour)] = (mean, low, high, int(count))
        rolled = max(hours, default=start - HOUR)
        for hour, mean, low, high, count in self.db.execute(
            "SELECT CAST(at / 3600 AS INTEGER) * 3600, avg(value), min(value), max(value),"
            " count(*) FROM samples WHERE metric = ? AND at >= ? AND at <= ? GROUP BY 1",
            [metric, max(_ts(since), rolled), end],
        ).fetchall():
            hours[int(hour)] = (mean, low, high, int(count))
        return [HourStat(_dt(h), *v) for h, v in sorted(hours.items())]

    def rollups(self, metric: str, since: datetime, until: datetime) -> list[Rollup]:
        rows = self.db.execute(
            "SELECT hour, min, max, mean, last, count FROM sample_rollups"
            " WHERE metric = ? AND hour >= ? AND hour <= ? ORDER BY hour",
            [metric, int(_ts(since)) // HOUR * HOUR, _ts(until)],
        ).fetchall()
        return [Rollup(metric, _dt(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM samples").fetchone()[0])

    def rollup_and_prune(
        self,
        now: datetime,
        retention: timedelta = timedelta(days=30),
        *,
        pause: Callable[[float], None] | None = None,
    ) -> tuple[int, int]:
        """Roll complete hours up and drop raw samples older than `retention`, in short
        transactions with `pause(seconds)` between them (`store.rollup.rollup_and_prune`).
        Returns (hours rolled up, raw rows pruned)."""
        kwargs = {} if pause is None else {"pause": pause}
        return rollup.rollup_and_prune(self.db.conn, _ts(now), retention.total_seconds(), **kwargs)

    def record_source(
        self, name: str, now: datetime, error: str | None = None, skipped: str | None = None
    ) -> None:
        ok = error is None
        with atomic(self.db.conn):
            self.db.conn.execute(
                "INSERT INTO metric_sources (name, ok, checked_at, last_ok_at, error, skipped)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET ok = excluded.ok,"
                " checked_at = excluded.checked_at, error = excluded.error,"
                " skipped = excluded.skipped,"
                " last_ok_at = coalesce(excluded.last_ok_at, metric_sources.last_ok_at)",
                [name, int(ok), _ts(now), _ts(now) if ok else None, error, skipped],
            )

    def sources(self) -> Sequence[SourceStatus]:
        rows = self.db.execute(
            "SELECT name, ok, checked_at, last_ok_at, error, skipped FROM metric_sources"
            " ORDER BY name"
        ).fetchall()
        return [
            SourceStatus(r[0], bool(r[1]), _dt(r[2]), _dt(r[3]) if r[3] else None, r[4], r[5])
            for r in rows
        ]
