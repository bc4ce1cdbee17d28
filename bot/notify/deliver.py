"""The outbox worker: send due notifications with bounded retries, record only after ok.

Delivery guarantee, and why
---------------------------
A row goes queued -> sending -> sent. `sending` is committed *before* the Slack call and
`sent` (with channel and ts) right after Slack answers ok. A row is `sending` only while a
request is in flight: before any backoff sleep it goes back to `queued` with the time of
the retry, so a process stopped while waiting (a routine restart after a 429) leaves a
row the next process simply sends. On shutdown `drain()` lets a request in flight finish.
Slack has no idempotency key for chat.postMessage and the fake (like a bot without
history scopes) cannot be searched, so after a crash we cannot tell whether a `sending`
row reached the channel. We choose
**at-most-once** for that window: on start-up (`recover`) a row left `sending` without a
recorded ts is parked as `unknown` and logged, never re-posted. A duplicate page cannot
be taken back, while a lost firing message is made good by the reminder after the repeat
interval (the alert state already says it was announced). The window is one HTTP call.
Each post carries its dedup key as message metadata, so an operator can check.

Within one run, failures where Slack refused the request (429 honouring Retry-After, 5xx,
ratelimited) are retried with exponential backoff; a timeout or dropped connection is
retried too. That last case is the one place a duplicate is possible (Slack may have
posted before the connection dropped); we accept it because dropping a warning on a
transient network error is worse. A row that keeps failing goes back to `queued` with a
later `next_attempt_at` and is tried again on a later pass: never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.notify.compose import Payload, load_payload, render_payload
from store import Store
from store.outbox import OutboxRow

__all__ = ["DeliveryFailure", "Poster", "Worker"]

log = logging.getLogger(__name__)


class DeliveryFailure(Protocol):
    retryable: bool
    retry_after: float | None
    code: str


class Poster(Protocol):
    async def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        thread_ts: str | None = None,
        dedup_key: str | None = None,
    ) -> tuple[str, str]: ...

    async def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]
    ) -> None: ...


class _Deferred(Exception):
    """Not yet: the message this one edits has not been sent."""


class Worker:
    """Sends due outbox rows. One per process; call `recover()` once before the first run."""

    def __init__(
        self,
        store: Store,
        poster: Poster,
        clock: Callable[[], datetime],
        *,
        tries: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.poster = poster
        self.clock = clock
        self.tries = tries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self._recovered = False
        self._in_flight = False
        self._stopping = False
        # Set whenever no request is in flight, so `drain` waits for it without polling.
        self._idle = asyncio.Event()
        self._idle.set()

    def recover(self) -> list[int]:
        """Park rows a previous process left `sending` (see the module docstring)."""
        parked = []
        for row in self.store.outbox.by_status("sending"):
            self.store.outbox.mark_unknown(
                row.id, "process stopped during delivery; maybe posted, not re-sent"
            )
            log.warning("outbox row %s (%s) may or may not have been posted", row.id, row.dedup_key)
            parked.append(row.id)
        self._recovered = True
        return parked

    async def run_once(self, limit: int = 50) -> int:
        """Deliver every due row; returns how many were sent."""
        if not self._recovered:
            self.recover()
        sent = 0
        for row in self.store.outbox.due(self.clock(), limit):
            if self._stopping:
                break
            if await self._deliver(row):
                sent += 1
        return sent

    @property
    def in_flight(self) -> bool:
        """Whether a request to Slack has been sent and not yet answered and recorded."""
        return self._in_flight

    async def drain(self, timeout: float = 5.0) -> bool:
        """Stop taking rows and let a request in flight finish (at most `timeout` s).

        After this a cancelled run leaves nothing `sending` unless the timeout ran out
        (returns False); rows waiting for a retry are already back in the queue.
        """
        self._stopping = True
        if self._in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout)
        if self._in_flight:
            log.warning("outbox: a delivery was still in flight after %.1f s", timeout)
        return not self._in_flight

    async def _deliver(self, row: OutboxRow) -> bool:
        payload = load_payload(row.payload)
        if row.kind == "resolved" and self._waiting_for_original(payload):
            self.store.outbox.mark_failed(
                row.id, "waiting for the firing message", self.clock() + timedelta(seconds=5)
            )
            return False
        last: Exception | None = None
        for attempt in range(self.tries):
            self.store.outbox.mark_sending(row.id, new_attempt=attempt == 0)
            self._in_flight = True
            self._idle.clear()
            try:
                channel, ts = await self._send(row, payload)
            except Exception as exc:
                # Slack answered (or the call failed): nothing is in flight any more.
                retryable = bool(getattr(exc, "retryable", False))
                last = exc
                log.info("outbox row %s attempt %s failed: %s", row.id, attempt + 1, exc)
                if not retryable or attempt == self.tries - 1 or self._stopping:
                    break
                after = getattr(exc, "retry_after", None)
                delay = min(float(after if after else self.base_delay * 2**attempt), self.max_delay)
                # Queued again while we wait: a stop during the sleep loses nothing.
                retry_at = self.clock() + timedelta(seconds=delay)
                self.store.outbox.mark_failed(row.id, str(exc), retry_at)
            else:
                with self.store.transaction():
                    self.store.outbox.mark_sent(row.id, channel, ts, self.clock())
                    if row.kind == "firing":
                        pairs = [(a.rule_id, a.fired_at) for a in payload.alerts]
                        self.store.alerts.record_messages(pairs, row.id, channel, ts)
                return True
            finally:
                self._in_flight = False
                self._idle.set()
            await self.sleep(delay)
            if self._stopping:
                return False  # still queued for retry_at; the next process sends it
        retry_in = min(3600.0, 10.0 * 2 ** min(row.attempts, 9))
        if last is not None and not getattr(last, "retryable", False):
            retry_in = 3600.0
        self.store.outbox.mark_failed(row.id, str(last), self.clock() + timedelta(seconds=retry_in))
        return False

    def _waiting_for_original(self, payload: Payload) -> bool:
        alert = payload.alerts[0]
        found = self.store.alerts.message_for(alert.rule_id, alert.fired_at)
        return found is None and self.store.outbox.pending_for_alert(alert.rule_id, alert.fired_at)

    async def _send(self, row: OutboxRow, payload: Payload) -> tuple[str, str]:
        if row.kind in ("resolved", "nodata"):
            return await self._follow_up(row, payload)
        return await self.poster.post(
            payload.channel, payload.text, payload.blocks, dedup_key=row.dedup_key
        )

    async def _follow_up(self, row: OutboxRow, payload: Payload) -> tuple[str, str]:
        """Resolution: edit the original message to show it resolved, then reply in its
        thread. Nodata: reply in the thread. Without an original, post in the channel."""
        alert = payload.alerts[0]
        original = self.store.alerts.message_for(alert.rule_id, alert.fired_at)
        if original is None:
            return await self.poster.post(
                payload.channel, payload.text, payload.blocks, dedup_key=row.dedup_key
            )
        if row.kind == "resolved" and row.step != "edited":
            self.store.alerts.mark_resolved(alert.rule_id, alert.fired_at, self.clock())
            await self._edit_original(original.outbox_id, original.channel, original.ts)
            # Editing twice shows the same thing, so only the reply below needs a guard.
            self.store.outbox.mark_step(row.id, "edited", None, None)
        return await self.poster.post(
            original.channel,
            payload.text,
            payload.blocks,
            thread_ts=original.ts,
            dedup_key=row.dedup_key,
        )

    async def _edit_original(self, outbox_id: int, channel: str, ts: str) -> None:
        first = self.store.outbox.get(outbox_id)
        if first is None:
            return
        original = load_payload(first.payload)
        resolved = {
            m.rule_id: m.resolved_at
            for m in self.store.alerts.messages_of(channel, ts)
            if m.resolved_at is not None
        }
        again = render_payload(
            original.kind,
            channel,
            original.alerts,
            datetime.fromisoformat(original.at),
            resolved,
        )
        try:
            await self.poster.update(channel, ts, again.text, again.blocks)
        except Exception as exc:
            if getattr(exc, "code", "") in ("message_not_found", "cant_update_message"):
                log.warning("original alert message %s gone; replying anyway", ts)
                return
            raise
