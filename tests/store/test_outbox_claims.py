"""Processes sharing one database deliver each outbox row once: a claim is granted to one
connection only, whichever thread or process asks first (real SQLite file, WAL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LEASE = T0 + timedelta(seconds=60)


def test_two_stores_on_one_file_claim_a_row_once(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "c.db"), Store(tmp_path / "c.db")
    assert first.outbox.enqueue("firing:a", "firing", "{}", T0)
    assert not second.outbox.enqueue("firing:a", "firing", "{}", T0)  # same key: one row
    assert [r.dedup_key for r in second.outbox.due(T0)] == ["firing:a"]
    won = first.outbox.claim("firing:a", LEASE)
    assert won is not None and won.dedup_key == "firing:a"
    assert second.outbox.claim("firing:a", LEASE) is None
    assert second.outbox.due(T0) == []  # sending under first's lease: not due for anyone


def test_racing_claims_from_many_threads_have_one_winner(tmp_path: Path) -> None:
    stores = [Store(tmp_path / "race.db") for _ in range(4)]
    for i in range(20):
        stores[0].outbox.enqueue(f"k{i}", "firing", "{}", T0)
    wins: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(stores))

    def deliver(store: Store) -> None:
        start.wait()
        for i in range(20):
            row = store.outbox.claim(f"k{i}", LEASE)
            if row is not None:
                with lock:
                    wins.append(row.dedup_key)

    threads = [threading.Thread(target=deliver, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(wins) == sorted(f"k{i}" for i in range(20))  # each claimed exactly once
