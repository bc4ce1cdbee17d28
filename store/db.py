"""Open the SQLite file the way every repository expects it: WAL, busy timeout, migrated."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

__all__ = ["CannotOpen", "check_path", "open_database"]


_SQLITE_HEADER = b"SQLite format 3\x00"


class CannotOpen(Exception):
    """The database path names something that cannot be a database; `reason` says why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"cannot open {path}: {reason}")
        self.path = str(path)
        self.reason = reason


def check_path(path: str | Path) -> None:
    """CannotOpen when `path` already exists and is not a database. Creates nothing: a
    missing file (or directory above it) is a fresh install."""
    path = Path(path)
    if str(path) == ":memory:" or not path.exists():
        return
    if path.is_dir():
        raise CannotOpen(path, "it is a directory; give a file path, e.g. /data/capacity.db")
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise CannotOpen(path, exc.strerror or str(exc)) from None
    if head and head != _SQLITE_HEADER:
        raise CannotOpen(path, "it is not an SQLite database")


def _private(path: Path) -> None:
    """The database holds the team's data: owner-only. Created 0600 (SQLite gives the -wal
    and -shm files the database file's mode), and an older 0644 file is tightened."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except OSError:  # not ours to change (a read-only mount): SQLite will say so
            pass


def open_database(path: str | Path, migrations: Iterable[Migrations] = ()) -> sqlite_utils.Database:
    """A Database over `path` (":memory:" for tests) with every migration set applied.

    WAL lets readers (the Home tab, `changes`) run while the evaluator writes; the busy
    timeout lets a second process on the same file wait instead of failing.
    """
    memory = str(path) == ":memory:"
    check_path(path)
    try:
        if not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _private(Path(path))
        # check_same_thread=False: Bolt may run a listener in a worker thread; we never
        # share a connection between threads at the same time (the store serialises writes).
        conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if not memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
    except OSError as exc:  # e.g. a parent that is a file, or no permission
        raise CannotOpen(path, exc.strerror or str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise CannotOpen(path, str(exc)) from None
    for migration_set in migrations:
        migration_set.apply(db)
    return db
