"""One transaction around several repository calls (nested calls become savepoints)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["atomic"]

_names = itertools.count(1)


@contextmanager
def atomic(conn: sqlite3.Connection) -> Iterator[None]:
    """All writes inside commit together or not at all.

    The outermost call takes the write lock up front (BEGIN IMMEDIATE) so two writers
    queue on the busy timeout instead of failing half way; an inner call is a savepoint,
    so a repository method can be atomic on its own and still join a caller's transaction.
    """
    if conn.in_transaction:
        name = f"sp{next(_names)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
