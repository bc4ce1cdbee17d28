"""Open the SQLite file the way every repository expects it: WAL, busy timeout, migrated."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

__all__ = ["CannotOpen", "ThreadLocalDatabase", "check_path", "open_database"]


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


def _connect(target: str, *, uri: bool, wal: bool) -> sqlite_utils.Database:
    # check_same_thread=False only so that close() may run on another thread at shutdown;
    # each connection is otherwise used by the one thread that opened it.
    conn = sqlite3.connect(target, timeout=10.0, check_same_thread=False, uri=uri)
    db = sqlite_utils.Database(conn)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


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
        db = _connect(str(path), uri=False, wal=not memory)
    except OSError as exc:  # e.g. a parent that is a file, or no permission
        raise CannotOpen(path, exc.strerror or str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise CannotOpen(path, str(exc)) from None
    for migration_set in migrations:
        migration_set.apply(db)
    return db


class ThreadLocalDatabase:
    """A `sqlite_utils.Database` that is a different connection on every thread.

    sqlite3 connections must not be used by two threads at once, and a transaction
    belongs to its connection; so work handed to a worker thread (a rollup, an export)
    runs on that thread's own connection and its own transactions, and WAL keeps the
    loop's readers unblocked meanwhile. Attribute access and `db["table"]` go to the
    calling thread's connection, opened on first use (migrations run once, on the first).

    ":memory:" becomes a private in-memory database shared by this object's connections
    (SQLite's memdb VFS), so tests see one database from every thread; it lives until
    `close()`.
    """

    def __init__(self, path: str | Path, migrations: Iterable[Migrations] = ()) -> None:
        self._path = str(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[sqlite_utils.Database] = []
        self._closed = False
        if self._path == ":memory:":
            self._target, self._uri, self._wal = (
                f"file:/capacity-{uuid.uuid4().hex}?vfs=memdb",
                True,
                False,
            )
            first = _connect(self._target, uri=True, wal=False)
            for migration_set in migrations:
                migration_set.apply(first)
        else:
            self._target, self._uri, self._wal = self._path, False, True
            first = open_database(path, migrations)
        self._adopt(first)

    def _adopt(self, db: sqlite_utils.Database) -> sqlite_utils.Database:
        self._local.db = db
        with self._lock:
            self._open.append(db)
        return db

    def current(self) -> sqlite_utils.Database:
        """This thread's Database, opened on first use."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            try:
                db = self._adopt(_connect(self._target, uri=self._uri, wal=self._wal))
            except sqlite3.DatabaseError as exc:
                raise CannotOpen(self._path, str(exc)) from None
        return db

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(), name)

    def __getitem__(self, name: str) -> Any:
        return self.current()[name]

    def close(self) -> None:
        """Close every thread's connection (at shutdown, once the workers are idle)."""
        with self._lock:
            opened, self._open, self._closed = self._open, [], True
        for db in opened:
            db.conn.close()
        self._local = threading.local()
