"""The threading model: one connection per thread over one WAL file (store.db.Connections)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.monitoring import Sample
from store import Store

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_each_thread_gets_its_own_connection_and_sees_committed_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    store.metrics.add_batch([Sample(metric="mau", at=T0, value=1)])
    seen: dict[str, object] = {}

    def worker() -> None:
        seen["conn"] = store.db.conn
        seen["count"] = store.metrics.count()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["count"] == 1 and seen["conn"] is not store.db.conn
    store.close()


def test_writers_in_several_threads_lose_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")

    def write(n: int) -> None:
        samples = [
            Sample(metric="mau", at=T0 + timedelta(minutes=n * 100 + i), value=i) for i in range(50)
        ]
        store.metrics.add_batch(samples)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.metrics.count() == 200
    store.close()


async def test_heavy_work_can_run_in_a_worker_thread_beside_the_loop(tmp_path: Path) -> None:
    store = Store(tmp_path / "capacity.db")
    rows = [("mau", (T0 - timedelta(days=40, minutes=m)).timestamp(), 5.0) for m in range(120)]
    store.metrics.add_rows(rows)
    rolled, pruned = await asyncio.to_thread(store.metrics.rollup_and_prune, T0, timedelta(days=30))
    assert pruned == 120 and rolled >= 1
    assert store.metrics.count() == 0  # the loop's connection sees the worker's commit
    store.close()
