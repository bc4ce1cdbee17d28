"""Another process holds the write lock: a write that waits briefly is refused cleanly, and
the store stays sound (a thread's new connection must not drop this process's locks)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from bot.domain.changes import ChangeDraft
from store import Store, is_locked

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
DRAFT = ChangeDraft(date=date(2026, 11, 20), change="Added PgBouncer", reason="connections")


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=15)


def on_a_thread(func: Callable[[], object]) -> object:
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(_outcome(func)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return box[0]


def _outcome(func: Callable[[], object]) -> object:
    try:
        return func()
    except Exception as exc:
        return exc


def test_a_short_wait_is_refused_as_locked_then_the_store_writes_and_reads(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    try:

        def add() -> object:
            with store.lock_wait(0.3), store.transaction():
                return store.changes.add(DRAFT, "U1", None, "k1", NOW)

        with write_lock_held(tmp_path / "capacity.db"):
            refused = on_a_thread(add)
            assert isinstance(refused, Exception) and is_locked(refused)
        assert store.changes.count() == 0  # nothing half-written
        assert not isinstance(on_a_thread(add), Exception)
        # Read on the first thread's connection: intact ("malformed" before the fix).
        assert [c.change for c in store.changes.all()] == ["Added PgBouncer"]
    finally:
        store.close()
