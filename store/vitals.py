"""Whether the store is really keeping what the bot writes: the file at CAPACITY_DB is the
one the bot has open (not deleted or replaced under it), writes succeed (a full disk says
so), and the last rule evaluation succeeded. Kept in memory: when the disk is full, the
database is the one place that cannot hold the news. `/healthz`, `status` and the jobs
read and feed it; the write probe (`probe_write`) is the only SQL here.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from store.tx import atomic

__all__ = [
    "FAILURE_WINDOW",
    "MIGRATIONS",
    "STORE_ERRORS",
    "Outcome",
    "Vitals",
    "describe_error",
    "is_disk_full",
]

MIGRATIONS = Migrations("capacity-bot.vitals")
# A write failure counts for this long: a job that fails every minute keeps it reported,
# one that failed once stops being news after it.
FAILURE_WINDOW = timedelta(minutes=5)


@MIGRATIONS()
def m001_heartbeat(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS store_heartbeat (id INTEGER PRIMARY KEY, at TEXT NOT NULL)"
    )


# What a failed write raises: SQLite's errors and the OS's (for callers outside store/,
# which do not import sqlite3).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, OSError)


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full") or the OS's ENOSPC / EDQUOT."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
        return True
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def describe_error(exc: BaseException) -> str:
    """Our words for a failed write (no paths or data from the error's text)."""
    if is_disk_full(exc):
        return "the disk holding the database is full"
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc).lower():
        return "the database is read-only"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return "the database stayed locked by another writer"
    return f"the write failed ({type(exc).__name__})"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    at: datetime
    error: str = ""


class Vitals:
    """The store's health as the bot sees it, shared by every thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._identity = self._stat()
        self.last_write_failure: Outcome | None = None
        self._failed_at = 0.0
        self.last_evaluation: Outcome | None = None
        self.last_evaluation_ok_at: datetime | None = None

    def _stat(self) -> tuple[int, int] | None:
        if self.path == ":memory:":
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def file_problem(self) -> str:
        """'' while the file at the path is the one the bot opened, else what happened."""
        if self._identity is None:
            return ""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "the database file was deleted while the bot has it open"
        except OSError as exc:
            return f"the database file cannot be read ({exc.strerror or type(exc).__name__})"
        if (st.st_dev, st.st_ino) != self._identity:
            return "the database file was replaced by another file while the bot has it open"
        return ""

    def wrote(self, ok: bool, now: datetime, error: str = "") -> None:
        """A real write's outcome (an evaluation, an ingest batch): a success clears an
        earlier failure, a failure is reported for FAILURE_WINDOW at least."""
        with self._lock:
            if ok:
                self.last_write_failure = None
                return
            self.last_write_failure = Outcome(False, now, error)
            # The window runs on the monotonic clock: `now` may be a test's clock.
            self._failed_at = time.monotonic()

    def write_problem(self) -> str:
        failure = self.last_write_failure
        if failure is None or time.monotonic() - self._failed_at > FAILURE_WINDOW.total_seconds():
            return ""
        return failure.error

    def evaluated(self, ok: bool, now: datetime, error: str = "") -> None:
        with self._lock:
            self.last_evaluation = Outcome(ok, now, error)
            if ok:
                self.last_evaluation_ok_at = now

    def problems(self) -> list[tuple[str, str]]:
        """(what is wrong, its fix), empty when the store keeps what the bot writes."""
        found: list[tuple[str, str]] = []
        where = Path(self.path)
        if problem := self.file_problem():
            found.append(
                (
                    problem + ": what it records now is lost when it stops",
                    f"put the database file back at {where} (from a backup) and restart the "
                    "bot, or restart it to start a new one there",
                )
            )
        if problem := self.write_problem():
            fix = (
                f"free space on the volume holding {where} (or grow it); writes resume by "
                "themselves"
                if "full" in problem
                else f"check {where} and its directory are writable by the bot"
            )
            found.append((f"writes to the database fail: {problem}", fix))
        last = self.last_evaluation
        if last is not None and not last.ok:
            found.append(
                (
                    f"the last rule evaluation failed ({last.error}): alerts are not being checked",
                    "see the bot's log for the error; it is retried every minute",
                )
            )
        return found

    def probe_write(self, db: sqlite_utils.Database, now: datetime | None = None) -> bool:
        """One small committed write: whether the store takes writes now."""
        now = now or datetime.now(UTC)
        try:
            with atomic(db.conn):
                db.execute(
                    "INSERT OR REPLACE INTO store_heartbeat (id, at) VALUES (1, ?)",
                    [now.isoformat()],
                )
        except (sqlite3.Error, OSError) as exc:
            self.wrote(False, now, describe_error(exc))
            return False
        # A success does not clear a real write's failure: one row updated in place can
        # fit where an evaluation's new pages do not.
        return True
