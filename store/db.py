"""Open the SQLite file the way every repository expects it: WAL, busy timeout, migrated."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

__all__ = [
    "BUSY_TIMEOUT",
    "WRITE_WAIT",
    "CannotOpen",
    "Connections",
    "Repository",
    "check_path",
    "is_locked",
    "lock_wait",
    "open_database",
    "refuse_writes_from",
]

# How long a statement waits for another connection's write lock before it fails with
# "database is locked". Work on worker threads waits this long; a front end answering
# someone waits less (`lock_wait`).
BUSY_TIMEOUT = 10.0
# How long a write someone is waiting on (a slash command, a form, POST /api/metrics)
# waits for the lock: inside Slack's 3 seconds with room for the rest of the answer.
WRITE_WAIT = 1.5


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
    if not path.is_file():  # /dev/null, a FIFO, a socket: SQLite would read or block on it
        raise CannotOpen(
            path,
            "it is not a regular file (a device or FIFO); give a file path, e.g. /data/capacity.db",
        )
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise CannotOpen(path, exc.strerror or str(exc)) from None
    if head and head != _SQLITE_HEADER:
        raise CannotOpen(path, "it is not an SQLite database")


def _private(path: Path) -> None:
    """The database holds the team's data: owner-only. Created 0600 (SQLite gives the -wal
    and -shm files the database file's mode), and an older 0644 file is tightened.

    An existing file is never opened here: closing any descriptor of a file drops every
    POSIX lock this process holds on it, so the connections already open in other threads
    would lose theirs (SQLite: "database disk image is malformed")."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process was quicker
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except OSError:  # not ours to change (a read-only mount): SQLite will say so
            pass


def open_database(
    path: str | Path, migrations: Iterable[Migrations] = (), *, first: bool = True
) -> sqlite_utils.Database:
    """A Database over `path` (":memory:" for tests) with every migration set applied.

    WAL lets readers (the Home tab, `changes`) run while the evaluator writes; the busy
    timeout lets a second process (or thread, see `Connections`) wait instead of failing.
    """
    memory = str(path) == ":memory:"
    if first:  # a thread's own connection to a file already open reads and creates nothing
        check_path(path)
    try:
        if not memory and first:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _private(Path(path))
        # check_same_thread=False only so `Store.close()` may close a connection another
        # thread opened; each thread uses its own (`Connections`), except in memory.
        # A thread's own connection opens the file the first one created and migrated, never
        # a new one: were it deleted meanwhile, an empty file at its place would hide that.
        target = str(path) if first or memory else f"{Path(path).absolute().as_uri()}?mode=rw"
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT, check_same_thread=False, uri=not (first or memory)
        )
        db = sqlite_utils.Database(conn)
        if not memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
    except OSError as exc:  # e.g. a parent that is a file, or no permission
        raise CannotOpen(path, exc.strerror or str(exc)) from None
    except sqlite3.DatabaseError as exc:
        if not first:  # the file went away under the bot: a failed write, as any other
            raise
        raise CannotOpen(path, str(exc)) from None
    for migration_set in migrations:
        migration_set.apply(db)
    return db


def is_locked(exc: BaseException) -> bool:
    """Whether `exc` is SQLite giving up on a lock another connection held too long."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc)
    return "database is locked" in text or "database table is locked" in text


@contextmanager
def lock_wait(db: sqlite_utils.Database, seconds: float) -> Iterator[None]:
    """Inside: statements on `db` wait at most `seconds` for another connection's lock.

    For writes someone is waiting on (a slash command, a form, an HTTP client): a lock
    held by an import or a backup is answered with "busy, try again" on time instead of
    after the full timeout.
    """
    conn = db.conn
    row = conn.execute("PRAGMA busy_timeout").fetchone()
    before = int(row[0]) if row else int(BUSY_TIMEOUT * 1000)
    conn.execute(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout={before}")


# What a guarded thread may not do: anything that writes, or takes the write lock and so
# may wait on another process's (BEGIN: `atomic` begins IMMEDIATE; a read needs none).
_WRITES = frozenset(
    {
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_UPDATE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_CREATE_VTABLE,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_DROP_VTABLE,
        sqlite3.SQLITE_ALTER_TABLE,
        sqlite3.SQLITE_REINDEX,
        sqlite3.SQLITE_ANALYZE,
        sqlite3.SQLITE_ATTACH,
        sqlite3.SQLITE_DETACH,
        sqlite3.SQLITE_SAVEPOINT,
    }
)


def refuse_writes_from(conn: sqlite3.Connection, thread: int) -> None:
    """From now on `conn` refuses, when called from `thread`, every statement that writes
    or may wait on the write lock ("not authorized"). For tests: the served bot's event
    loop thread, to prove nothing there can wait on another process's lock. Statements
    prepared before are expired by SQLite (setting an authorizer does that), so none
    slips through from a cache."""

    def authorize(action: int, arg1: str | None, *_: str | None) -> int:
        if threading.get_ident() != thread:
            return sqlite3.SQLITE_OK
        if action in _WRITES or (action == sqlite3.SQLITE_TRANSACTION and arg1 == "BEGIN"):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorize)


class Connections:
    """The threading model: one connection per thread, over one file in WAL mode.

    The event loop's thread and every worker thread (`asyncio.to_thread`) get their own
    connection the first time they touch the store, so heavy work (rollups, exports, bulk
    imports) can move off the loop without sharing a connection. WAL lets readers run while
    one writer writes; writers queue on the busy timeout (`atomic` takes the write lock up
    front). Migrations run once, on the first connection. An in-memory database exists only
    inside its connection, so `:memory:` (tests) shares one connection between threads.
    """

    def __init__(self, path: str | Path, migrations: Iterable[Migrations] = ()) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite_utils.Database] = []
        self._closed = False
        # The thread whose statements may not write (`refuse_writes_from`), if any.
        self._guarded: int | None = None
        first = open_database(path, migrations)  # migrated here, once
        self._shared = first if self.path == ":memory:" else None
        self._adopt(first)

    def _adopt(self, db: sqlite_utils.Database) -> sqlite_utils.Database:
        self._local.db = db
        with self._lock:
            self._opened.append(db)
            if self._guarded is not None:
                refuse_writes_from(db.conn, self._guarded)
        return db

    def refuse_writes_from(self, thread: int) -> None:
        """Tests: every connection, open or still to open, refuses writes from `thread`
        (see `refuse_writes_from`; the served bot's event loop thread)."""
        with self._lock:
            self._guarded = thread
            for db in self._opened:
                refuse_writes_from(db.conn, thread)

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's Database."""
        if self._shared is not None:
            return self._shared
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        return db if db is not None else self._adopt(open_database(self.path, first=False))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for db in opened:
            db.conn.close()
        self._local = threading.local()


class Repository:
    """Base of the repositories: `self.db` is the calling thread's connection."""

    def __init__(self, db: sqlite_utils.Database | Connections) -> None:
        self._connections = db

    @property
    def db(self) -> sqlite_utils.Database:
        source = self._connections
        return source.db if isinstance(source, Connections) else source
