"""All SQL lives here: small repositories over one sqlite_utils.Database."""
# ruff: noqa: E402  (sqlite_utils is imported lean first; see store/_lean.py)

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from store._lean import import_sqlite_utils

import_sqlite_utils()  # before any module below imports it

import sqlite_utils

from store import alerts, delivery, metrics, outbox, vitals
from store.alerts import AlertStore
from store.changes import MIGRATIONS as CHANGES_MIGRATIONS
from store.changes import ChangeStore
from store.costs import MIGRATIONS as COSTS_MIGRATIONS
from store.costs import CostStore
from store.db import Connections, is_locked, lock_wait, open_database
from store.delivery import DeliveryStore
from store.digests import MIGRATIONS as DIGESTS_MIGRATIONS
from store.digests import DigestStore
from store.health import DatabaseStatus, inspect_database
from store.metrics import MetricStore
from store.outbox import Outbox
from store.tiers import MIGRATIONS as TIERS_MIGRATIONS
from store.tiers import TierStore
from store.tx import atomic
from store.vitals import Vitals

__all__ = [
    "AlertStore",
    "ChangeStore",
    "Connections",
    "CostStore",
    "DatabaseStatus",
    "DeliveryStore",
    "DigestStore",
    "MetricStore",
    "Outbox",
    "Store",
    "TierStore",
    "atomic",
    "is_locked",
    "open_database",
]


class Store:
    """The bot's database. Constructing it applies every pending migration (twice is a no-op).

    Each repository module owns its tables and its `MIGRATIONS` set; add new ones here.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        # One connection per thread (see store.db.Connections and docs/ARCHITECTURE.md).
        self.connections = Connections(path, self._migration_sets())
        self.changes = ChangeStore(self.connections)
        self.digests = DigestStore(self.connections)
        self.metrics = MetricStore(self.connections)
        self.alerts = AlertStore(self.connections)
        self.outbox = Outbox(self.connections)
        self.tiers = TierStore(self.connections)
        self.delivery = DeliveryStore(self.connections)
        # The file this store has open, and how its writes and evaluations went.
        self.vitals = Vitals(self.path)
        self.costs = CostStore(self.connections)

    @property
    def db(self) -> sqlite_utils.Database:
        """The calling thread's connection."""
        return self.connections.db

    @staticmethod
    def _migration_sets() -> list[sqlite_utils.Migrations]:
        return [
            CHANGES_MIGRATIONS,
            DIGESTS_MIGRATIONS,
            metrics.MIGRATIONS,
            alerts.MIGRATIONS,
            outbox.MIGRATIONS,
            TIERS_MIGRATIONS,
            delivery.MIGRATIONS,
            vitals.MIGRATIONS,
            COSTS_MIGRATIONS,
        ]

    @classmethod
    def inspect(cls, path: str | Path) -> DatabaseStatus:
        """Whether `path` can serve (writable, migrations known), without migrating it."""
        return inspect_database(path, cls._migration_sets())

    @property
    def in_memory(self) -> bool:
        """An in-memory database (tests): one connection every thread shares, whose lock no
        other process can hold, so its writes run in place, never on a worker thread."""
        return self.path == ":memory:"

    def transaction(self) -> AbstractContextManager[None]:
        """Several repository writes as one transaction (e.g. one evaluation)."""
        return atomic(self.db.conn)

    @contextmanager
    def lock_wait(self, seconds: float) -> Iterator[None]:
        """The calling thread's statements wait at most `seconds` for another's write lock
        (see store.db.lock_wait); "database is locked" after that (`is_locked`)."""
        with lock_wait(self.db, seconds):
            yield

    def refuse_writes_on_this_thread(self) -> None:
        """Tests: from now on a write from the calling thread fails ("not authorized"),
        and so does taking the write lock. Called on the served bot's event loop thread, it
        proves that nothing there can wait on another process's lock."""
        self.connections.refuse_writes_from(threading.get_ident())

    def healthy(self) -> bool:
        """The store answers, the file at its path is the one it has open, and writes
        succeed (no write failure in the last few minutes)."""
        try:
            self.db.execute("select 1").fetchone()
        except Exception:
            return False
        return not self.vitals.file_problem() and not self.vitals.write_problem()

    def probe_write(self) -> bool:
        """One small committed write (the health job's): whether writes succeed now."""
        return self.vitals.probe_write(self.db)

    def close(self) -> None:
        self.connections.close()
