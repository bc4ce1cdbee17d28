"""The guard the served-bot test relies on (`Store.refuse_writes_on_this_thread`): the
guarded thread can read but neither write nor take the write lock (statements it prepared
before included), while every other thread writes as before, on its own connection or on
the one `:memory:` shares. A guard that refused nothing would make
tests/app/test_no_writes_on_the_loop.py prove nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from bot.domain.changes import ChangeDraft
from store import Store

T = TypeVar("T")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
DRAFT = ChangeDraft(date=date(2026, 11, 20), change="Added PgBouncer", reason="connections")


def on_another_thread(work: Callable[[], T]) -> T:
    results: list[T] = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join(10)
    assert results, "the other thread failed"
    return results[0]


@pytest.mark.parametrize("where", ["file", ":memory:"])
def test_the_guarded_thread_reads_but_cannot_write_and_others_still_write(
    tmp_path: Path, where: str
) -> None:
    store = Store(tmp_path / "capacity.db" if where == "file" else ":memory:")
    try:
        store.changes.add(DRAFT, "U1", None, "before", NOW)  # cached statements, too
        store.refuse_writes_on_this_thread()
        for write in (
            lambda: store.changes.add(DRAFT, "U1", None, "after", NOW),
            lambda: store.outbox.enqueue("k", "digest", "{}", NOW),
            lambda: store.digests.claim("2026-11-30", NOW),
            lambda: store.transaction().__enter__(),  # BEGIN IMMEDIATE: may wait on a lock
        ):
            with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
                write()
        assert store.changes.count() == 1  # reads still answer
        assert on_another_thread(lambda: store.outbox.enqueue("k", "digest", "{}", NOW))
        assert on_another_thread(lambda: store.digests.claim("2026-11-30", NOW))
        assert store.outbox.has("k") and store.digests.get("2026-11-30") is not None
    finally:
        store.close()
