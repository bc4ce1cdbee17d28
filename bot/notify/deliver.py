"""The outbox worker: send due notifications with bounded retries, record only after ok.

Delivery guarantee, and why
---------------------------
A row goes queued -> sending -> sent. `sending` is committed *before* the call and `sent`
(with channel and ts) right after Slack answers ok; before any backoff sleep the row goes
back to `queued`, so a stop while waiting loses nothing.

Exactly once into a channel: every post carries its outbox key as Slack message metadata
(`capacity_bot_outbox`). When the outcome of a post is unknown (the process was killed
with a request in flight, or Slack answered after the client's timeout), the row is
`unknown` until it is reconciled: the channel's recent history (or the thread, for a
reply) is searched for a message with that key. Found: the row is `sent` with that ts.
Not found: it is queued and sent. The search failing (no history scope, Slack down): the
row stays `unknown` and is tried again on the next pass, never posted blind.

A poster without `find` (a route that cannot be searched) re-sends an unknown row when
it says `resend_when_unknown` (PagerDuty: its dedup key makes a resend safe; email: at
least once) and otherwise leaves it parked. Failures where Slack refused the request
(429 honouring Retry-After, 5xx, ratelimited) are retried with exponential backoff; a row
that keeps failing goes back to `queued` with a later `next_attempt_at`: never dropped.
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


# Optional on a poster: `async find(channel, dedup_key, *, thread_ts) -> ts | None`, and
# `resend_when_unknown: bool` for one that cannot be searched (see the module docstring).


_UNSURE = object()


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
        self._stopped = asyncio.Event()  # wakes a retry wait when shutdown starts
        self._unsure_logged: set[int] = set()
        # Set whenever no request is in flight, so `drain` waits for it without polling.
        self._idle = asyncio.Event()
        self._idle.set()

    def recover(self) -> list[int]:
        """Rows a previous process left `sending` become `unknown`: reconciled against
        Slack before anything is re-sent (see the module docstring)."""
        parked = []
        for row in self.store.outbox.by_status("sending"):
            self.store.outbox.mark_unknown(row.id, "process stopped during delivery")
            log.info("outbox row %s: stopped mid-delivery; checking Slack before sending", row.id)
            parked.append(row.id)
        self._recovered = True
        return parked

    async def reconcile(self) -> int:
        """Settle `unknown` rows: sent when Slack has the message, else queued. Returns how
        many were settled."""
        settled = 0
        for row in self.store.outbox.by_status("unknown"):
            if self._stopping:
                break
            payload = load_payload(row.payload)
            found = await self._look_up(row, payload)
            if found is _UNSURE:
                continue
            if isinstance(found, tuple):
                self._record_sent(row, payload, *found)
            else:
                self.store.outbox.mark_failed(row.id, "not posted; sending", self.clock())
            settled += 1
        return settled

    async def _look_up(self, row: OutboxRow, payload: Payload) -> tuple[str, str] | object | None:
        """(channel, ts) of the row's message in Slack, None when it is not there, or
        _UNSURE when that cannot be known now."""
        find = getattr(self.poster, "find", None)
        if find is None:
            return None if getattr(self.poster, "resend_when_unknown", False) else _UNSURE
        channel, thread_ts = self._target(row, payload)
        try:
            ts = await find(channel, row.dedup_key, thread_ts=thread_ts)
        except Exception as exc:
            if row.id not in self._unsure_logged:
                self._unsure_logged.add(row.id)
                log.warning("outbox row %s: cannot check Slack (%s); not re-sent", row.id, exc)
            return _UNSURE
        return (channel, str(ts)) if ts else None

    def _target(self, row: OutboxRow, payload: Payload) -> tuple[str, str | None]:
        """Where the row's post goes: the channel, and the thread for a follow-up."""
        if row.kind in ("resolved", "nodata"):
            alert = payload.alerts[0]
            original = self.store.alerts.message_for(alert.rule_id, alert.fired_at)
            if original is not None:
                return original.channel, original.ts
        return payload.channel, None

    def _record_sent(self, row: OutboxRow, payload: Payload, channel: str, ts: str) -> None:
        with self.store.transaction():
            self.store.outbox.mark_sent(row.id, channel, ts, self.clock())
            if row.kind == "firing":
                pairs = [(a.rule_id, a.fired_at) for a in payload.alerts]
                self.store.alerts.record_messages(pairs, row.id, channel, ts)

    async def run_once(self, limit: int = 50) -> int:
        """Settle rows of unknown outcome, then deliver every due row; returns how many
        were sent."""
        if not self._recovered:
            self.recover()
        await self.reconcile()
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
        self._stopped.set()
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
                if getattr(exc, "code", "") == "transport":
                    # Maybe posted (a timeout after Slack took it): look before re-sending.
                    self._in_flight = False
                    self._idle.set()
                    found = await self._look_up(row, payload)
                    if isinstance(found, tuple):
                        self._record_sent(row, payload, *found)
                        return True
                    if found is _UNSURE:
                        self.store.outbox.mark_unknown(row.id, f"outcome unknown: {exc}")
                        return False
                log.info("outbox row %s attempt %s failed: %s", row.id, attempt + 1, exc)
                if not retryable or attempt == self.tries - 1 or self._stopping:
                    break
                after = getattr(exc, "retry_after", None)
                delay = min(float(after if after else self.base_delay * 2**attempt), self.max_delay)
                # Queued again while we wait: a stop during the sleep loses nothing.
                retry_at = self.clock() + timedelta(seconds=delay)
                self.store.outbox.mark_failed(row.id, str(exc), retry_at)
            else:
                self._record_sent(row, payload, channel, ts)
                return True
            finally:
                self._in_flight = False
                self._idle.set()
            await self._pause(delay)
            if self._stopping:
                return False  # still queued for retry_at; the next process sends it
        retry_in = min(3600.0, 10.0 * 2 ** min(row.attempts, 9))
        if last is not None and not getattr(last, "retryable", False):
            retry_in = 3600.0
        self.store.outbox.mark_failed(row.id, str(last), self.clock() + timedelta(seconds=retry_in))
        return False

    async def _pause(self, delay: float) -> None:
        """`sleep(delay)`, cut short by `drain()`: a shutdown during a retry wait ends the
        run at once (the row is already queued for its retry), with nothing to cancel."""
        if self._stopping:
            return
        sleeper = asyncio.ensure_future(self.sleep(delay))
        stopper = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()

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
