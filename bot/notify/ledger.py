"""The outbox worker's store calls, each on a worker thread.

The worker runs on the event loop, and every call here may wait on SQLite's write lock
(another process's import or backup, a second bot sharing the database): waiting there
would freeze every request the loop serves. So each method is one short store call, or
one transaction, on a worker thread with its own connection (`bot.core.offload`,
`store.db.Connections`), waiting out the busy timeout there. The worker awaits each in
the order it always made them, so what is recorded, and when, is unchanged. An in-memory
database (tests) is the exception, as for every writer (`bot.slack.front.Front.write`):
its one connection would be shared by the threads, and no other process can lock it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from bot.core.offload import Run, runner
from bot.domain.monitoring import AlertMessage
from store import Store
from store.outbox import OutboxRow

__all__ = ["Ledger"]

T = TypeVar("T")


class Ledger:
    """The outbox as the worker reads and writes it, off the event loop."""

    def __init__(self, store: Store, run: Run | None = None) -> None:
        self._store = store
        self._run = run or runner(store.in_memory)

    async def run(self, func: Callable[[], T]) -> T:
        """`func()`, blocking store work of the worker's own, run as every call here."""
        return await self._run(func)

    async def unknown(self) -> list[OutboxRow]:
        """Rows whose delivery has an unknown outcome, to reconcile."""
        return await self._run(self._store.outbox.by_status, "unknown")

    async def due(self, now: datetime, limit: int) -> list[OutboxRow]:
        return await self._run(self._store.outbox.due, now, limit)

    async def get(self, row_id: int) -> OutboxRow | None:
        return await self._run(self._store.outbox.get, row_id)

    async def take(self, row_id: int, lease_until: datetime) -> bool:
        """The queued row becomes `sending` until `lease_until`; False when another
        process took it first."""
        return await self._run(self._store.outbox.mark_sending, row_id, lease_until=lease_until)

    async def retry(self, row_id: int, error: str, at: datetime) -> None:
        """Back to the queue, for an attempt at `at`."""
        await self._run(self._store.outbox.mark_failed, row_id, error, at)

    async def park(self, row_id: int, error: str) -> None:
        """`unknown`: maybe delivered; looked up before anything is sent again."""
        await self._run(self._store.outbox.mark_unknown, row_id, error)

    async def done_step(self, row_id: int, step: str) -> None:
        await self._run(self._store.outbox.mark_step, row_id, step, None, None)

    async def original(self, rule_id: str, fired_at: str) -> AlertMessage | None:
        """The message that announced this alert, once it was posted."""
        return await self._run(self._store.alerts.message_for, rule_id, fired_at)

    async def awaits_original(self, rule_id: str, fired_at: str) -> bool:
        """Whether this alert's firing message is still to be posted (a resolution waits)."""
        return await self._run(self._awaits_original, rule_id, fired_at)

    def _awaits_original(self, rule_id: str, fired_at: str) -> bool:
        found = self._store.alerts.message_for(rule_id, fired_at)
        return found is None and self._store.outbox.pending_for_alert(rule_id, fired_at)

    async def resolved_in(self, channel: str, ts: str) -> set[str]:
        """The rules a message already shows resolved."""
        messages = await self._run(self._store.alerts.messages_of, channel, ts)
        return {m.rule_id for m in messages if m.resolved_at is not None}

    async def mark_resolved(self, rule_id: str, fired_at: str, at: datetime) -> None:
        await self._run(self._store.alerts.mark_resolved, rule_id, fired_at, at)

    async def record_sent(
        self,
        row: OutboxRow,
        announced: Iterable[tuple[str, str]],
        target: str,
        channel: str,
        ts: str,
        now: datetime,
    ) -> bool:
        """One transaction: the row `sent` to (channel, ts), the alerts it announced
        pointing at that message, and its route's delivery problem at `target` cleared.
        Returns whether there was one to clear."""
        return await self._run(self._record_sent, row, list(announced), target, channel, ts, now)

    def _record_sent(
        self,
        row: OutboxRow,
        announced: list[tuple[str, str]],
        target: str,
        channel: str,
        ts: str,
        now: datetime,
    ) -> bool:
        store = self._store
        with store.transaction():
            store.outbox.mark_sent(row.id, channel, ts, now)
            if announced:
                store.alerts.record_messages(announced, row.id, channel, ts)
            return store.delivery.clear(row.route, target)

    async def report(self, route: str, target: str, reason: str, now: datetime) -> bool:
        """A failure only a person can fix, kept for /healthz, `status` and Home; True
        when it is news (not already reported)."""
        return await self._run(self._store.delivery.report, route, target, reason, now)
