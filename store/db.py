"""Open the SQLite file the way every repository expects it: WAL, busy timeout, migrated."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

__all__ = ["open_database"]


def open_database(path: str | Path, migrations: Iterable[Migrations] = ()) -> sqlite_utils.Database:
    """A Database over `path` (":memory:" for tests) with every migration set applied.

    WAL lets readers (the Home tab, `changes`) run while the evaluator writes; the busy
    timeout lets a second process on the same file wait instead of failing.
    """
    memory = str(path) == ":memory:"
    if not memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: Bolt may run a listener in a worker thread; we never share a
    # connection between threads at the same time (the store serialises its own writes).
    conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    if not memory:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    for migration_set in migrations:
        migration_set.apply(db)
    return db
