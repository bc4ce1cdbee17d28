"""One store, many threads: each thread its own connection to the same database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.monitor import Sample
from store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _sample(minutes: int, value: float = 1.0) -> Sample:
    return Sample(metric="mau", at=T0 + timedelta(minutes=minutes), value=value)


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_worker_thread_sees_and_writes_the_same_database(tmp_path: Path, where: str) -> None:
    store = Store(":memory:" if where == "memory" else tmp_path / "capacity.db")
    store.metrics.add_batch([_sample(0)])
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(store.metrics.count).result()
        pool.submit(store.metrics.add_batch, [_sample(1)]).result()
        worker_conn = pool.submit(lambda: store.db.conn).result()
    assert seen == 1
    assert store.metrics.count() == 2
    assert worker_conn is not store.db.conn
    store.close()


def test_a_transaction_open_on_one_thread_is_not_joined_by_another(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    inside, done = threading.Event(), threading.Event()

    def hold_a_transaction() -> None:
        with store.transaction():
            store.metrics.add_batch([_sample(0)])
            inside.set()
            assert done.wait(10)

    worker = threading.Thread(target=hold_a_transaction)
    worker.start()
    assert inside.wait(10)
    # WAL: this thread reads the last committed state, not the worker's open transaction.
    assert not store.db.conn.in_transaction
    assert store.metrics.count() == 0
    done.set()
    worker.join(10)
    assert store.metrics.count() == 1
    store.close()


def test_closing_closes_every_threads_connection(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    with ThreadPoolExecutor(1) as pool:
        worker_conn = pool.submit(lambda: store.db.conn).result()
    store.close()
    with pytest.raises(Exception, match="closed"):
        worker_conn.execute("select 1")
