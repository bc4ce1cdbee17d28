"""Whether the database file can serve: writable, and its migrations known to this code.

Read-only apart from a write lock taken and released at once: `doctor` runs it beside a
live bot, and before the first start (a missing file is fine: serve creates it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from store.db import CannotOpen, check_path

__all__ = ["DatabaseStatus", "inspect_database"]


@dataclass(frozen=True)
class DatabaseStatus:
    exists: bool
    writable: bool
    # Why not writable (for the person fixing it).
    reason: str = ""
    # Migrations serve applies at its next start.
    pending: tuple[str, ...] = ()
    # Applied here but unknown to this code: a newer capacity-bot wrote the file.
    unknown: tuple[str, ...] = ()


def _writable_dir(path: Path) -> str:
    """'' when a file can be created at `path`, else why not."""
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is a file, not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"no permission to write in {parent}"
    return ""


# Below this much free space SQLite's next page or WAL frame may not fit.
FULL_BELOW = 1 << 20


def _full_disk(path: Path) -> str:
    """'' when the volume holding `path` has room, else why not."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return ""
    if free >= FULL_BELOW:
        return ""
    return (
        f"the disk holding it is full ({free // 1024} KiB free): free space on that volume "
        "(writes fail until then)"
    )


def _migration_state(
    db: sqlite_utils.Database, sets: Iterable[Migrations]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pending: list[str] = []
    unknown: list[str] = []
    empty = sqlite_utils.Database(memory=True)
    for migrations in sets:
        known = {m.name for m in migrations.pending(empty)}
        pending += [f"{migrations.name}.{m.name}" for m in migrations.pending(db)]
        unknown += [
            f"{migrations.name}.{m.name}" for m in migrations.applied(db) if m.name not in known
        ]
    return tuple(pending), tuple(unknown)


def inspect_database(path: str | Path, sets: Iterable[Migrations]) -> DatabaseStatus:
    if str(path) == ":memory:":
        return DatabaseStatus(exists=False, writable=True)
    path = Path(path)
    try:
        check_path(path)
    except CannotOpen as exc:
        return DatabaseStatus(exists=path.exists(), writable=False, reason=exc.reason)
    if not path.exists():
        reason = _writable_dir(path)
        return DatabaseStatus(exists=False, writable=not reason, reason=reason)
    # WAL writes -wal and -shm files beside the database.
    reason = _writable_dir(path) or _full_disk(path)
    if reason:
        return DatabaseStatus(exists=True, writable=False, reason=reason)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        return DatabaseStatus(exists=True, writable=False, reason=str(exc))
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):  # busy with a live bot's write is still writable
                return DatabaseStatus(exists=True, writable=False, reason=str(exc))
        except sqlite3.DatabaseError as exc:
            return DatabaseStatus(exists=True, writable=False, reason=str(exc))
        pending, unknown = _migration_state(sqlite_utils.Database(conn), sets)
    except sqlite3.DatabaseError as exc:
        return DatabaseStatus(exists=True, writable=False, reason=str(exc))
    finally:
        conn.close()
    return DatabaseStatus(exists=True, writable=True, pending=pending, unknown=unknown)
