"""The outbox worker: send due notifications with bounded retries, record only after ok.

Delivery guarantee, and why
---------------------------
A row goes queued -> sending -> sent. `sending` is committed *before* the call and `sent`
(with where it went) right after the route answers ok; `drain()` (shutdown) lets a
request in flight finish.

Slack, exactly once: every post carries its outbox key as message metadata
(`capacity_bot_outbox`). When the outcome of a post is unknown (the process was killed
with a request in flight, or Slack answered after the client's timeout), the row is
`unknown` until it is reconciled (a `sending` row counts as abandoned once its lease of
60 s, longer than any request's timeout, has run out; until then its sender may be alive,
e.g. another process sharing the database): the channel's recent history (or the thread, for a
reply) is searched for a message with that key (`SlackPoster.find`). Found: the row is
`sent` there. Not found: it is queued and sent. The search failing (no history scope,
Slack down): the row stays `unknown` and is tried again on the next pass, never posted
blind.

A route that cannot be searched re-sends an unknown row when its poster says
`resend_safe` (PagerDuty folds a second event with the same dedup key into the same
incident; email is at least once) and otherwise leaves it parked.

A pass never waits out a backoff: a failure where the route refused the request (429
honouring Retry-After, 5xx, ratelimited, a timeout or dropped connection) puts the row back
in the queue with its next attempt time, the first few a second or so apart and then
further and further (up to an hour), and the pass goes on with the other rows. So a
failing PagerDuty or SMTP server never holds up Slack alerts, a pass takes as long as its
requests, and a shutdown has no wait to cut short. Within a pass, once a route fails for
a channel, its other rows there wait for the next pass. A timeout or dropped connection
is looked up first (the route may have taken it). A row that keeps failing stays
queued: never dropped.

The scheduler does not run passes itself: its job `kick()`s one unless one is still
running, so a slow request never makes the job overrun its interval, and `drain()` ends
the pass at shutdown.

Nothing here touches the store on the event loop's thread: every read and write goes
through `Ledger` (bot/notify/ledger.py), on a worker thread, where waiting out another
process's write lock holds up only this pass (an in-memory database, tests only, is
written in place: no other process can lock it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.monitor.routes import ROUTE_NAMES, fix_for
from bot.notify.compose import Payload, load_payload
from bot.notify.ledger import Ledger
from bot.notify.poster import DeliveryError, Message, Poster, Sent, as_delivery_error
from store import Store, is_locked
from store.outbox import OutboxRow

__all__ = ["LEASE", "Poster", "Worker"]

log = logging.getLogger(__name__)


_UNSURE = object()
# How long a row may be `sending` before it counts as abandoned: above every route's
# request timeout (Slack 10 s, PagerDuty 10 s, SMTP 15 s a step).
LEASE = timedelta(seconds=60)


class Worker:
    """Sends due outbox rows. One per process; processes sharing a database take each row
    once (a row is claimed from `queued`), and a `sending` row whose lease ran out is
    settled by whichever runs next."""

    def __init__(
        self,
        store: Store,
        poster: Poster,
        clock: Callable[[], datetime],
        *,
        routes: Mapping[str, Poster] | None = None,
        tries: int = 4,
        lease: timedelta = LEASE,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        self.store = store
        self.ledger = Ledger(store)
        # `poster` is Slack's; `routes` adds the configured others (pagerduty, email).
        self.posters: dict[str, Poster] = {"slack": poster, **(routes or {})}
        self.clock = clock
        self.tries = tries
        self.lease = lease
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._pass: asyncio.Future[None] | None = None
        # (route, channel) that failed during the current pass: their other rows wait.
        self._failing: set[tuple[str, str]] = set()
        self._in_flight = False
        self._stopping = False
        # Set whenever no request is in flight, so `drain` waits for it without polling.
        self._idle = asyncio.Event()
        self._idle.set()
        self._unsure_logged: set[int] = set()

    def recover(self) -> list[int]:
        """Rows a previous process left `sending`: a route whose poster says a resend is
        safe (PagerDuty's dedup key; email, which is at least once) gets them queued again;
        the others become `unknown`, reconciled before anything is re-sent (see the module
        docstring). Returns the ids made `unknown`. Blocking: a pass runs it on a worker
        thread."""
        parked = []
        for row in self.store.outbox.stale_sending(self.clock()):
            poster = self.posters.get(row.route)
            if poster is not None and poster.resend_safe:
                self.store.outbox.mark_failed(
                    row.id, "process stopped during delivery; sent again", self.clock()
                )
                log.info("outbox row %s (%s) is sent again after a restart", row.id, row.route)
                continue
            self.store.outbox.mark_unknown(row.id, "process stopped during delivery")
            log.info("outbox row %s: stopped mid-delivery; checking before sending", row.id)
            parked.append(row.id)
        return parked

    async def reconcile(self) -> int:
        """Settle `unknown` rows: sent when the route has the message, else queued again.
        Returns how many were settled."""
        settled = 0
        for row in await self.ledger.unknown():
            if self._stopping:
                break
            payload = load_payload(row.payload)
            found = await self._look_up(row, payload)
            if found is _UNSURE:
                continue
            if isinstance(found, Sent):
                await self._record_sent(row, payload, found.target, found.ref)
            else:
                await self.ledger.retry(row.id, "not delivered; sending", self.clock())
            settled += 1
        return settled

    async def _look_up(self, row: OutboxRow, payload: Payload) -> Sent | object | None:
        """Where the row's message went if its route has it, None when it does not, or
        _UNSURE when that cannot be known now."""
        poster = self.posters.get(row.route)
        if poster is None or not poster.can_find:
            return None if poster is not None and poster.resend_safe else _UNSURE
        try:
            found = await poster.find(await self._message(row, payload))
        except Exception as exc:
            if row.id not in self._unsure_logged:
                self._unsure_logged.add(row.id)
                log.warning(
                    "outbox row %s: cannot check %s (%s); not re-sent", row.id, row.route, exc
                )
            return _UNSURE
        return found

    async def _message(self, row: OutboxRow, payload: Payload) -> Message:
        """The row as its poster sends it; a follow-up answers the alert's first message."""
        reply_to: Sent | None = None
        if row.kind in ("resolved", "nodata"):
            alert = payload.alerts[0]
            original = await self.ledger.original(alert.rule_id, alert.fired_at)
            if original is not None:
                reply_to = Sent(original.channel, original.ts)
        return Message(row.kind, row.dedup_key, payload, reply_to)

    async def _record_sent(self, row: OutboxRow, payload: Payload, channel: str, ts: str) -> None:
        # A firing message is where each of its alerts' follow-ups will answer.
        firing = row.kind == "firing"
        announced = [(a.rule_id, a.fired_at) for a in payload.alerts] if firing else []
        cleared = await self.ledger.record_sent(
            row, announced, payload.channel, channel, ts, self.clock()
        )
        if cleared:
            log.info("%s delivery to %s works again", row.route, payload.channel)

    async def run_once(self, limit: int = 50) -> int:
        """Settle rows of unknown outcome, then deliver every due row; returns how many
        were sent."""
        # Every pass, not only at start: a lease that ran out since is a sender that died
        # (another process sharing the database, or this one before a restart).
        await self.ledger.run(self.recover)
        await self.reconcile()
        sent = 0
        self._failing.clear()
        for row in await self.ledger.due(self.clock(), limit):
            if self._stopping:
                break
            if await self._deliver(row):
                sent += 1
        return sent

    def kick(self) -> None:
        """Start a delivery pass unless one is running (the scheduler's job: it returns at
        once, so no run of it overruns its interval however slow a route answers)."""
        if self._stopping or (self._pass is not None and not self._pass.done()):
            return
        self._pass = asyncio.ensure_future(self._logged_pass())

    async def _logged_pass(self) -> None:
        try:
            await self.run_once()
        except Exception as exc:
            if is_locked(exc):  # another process holds the write lock: the next pass goes on
                log.warning("outbox delivery paused: the database is busy (%s)", exc)
                return
            log.exception("outbox delivery failed")

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
        running = self._pass
        if running is not None and not running.done():
            if self._in_flight:
                running.cancel()  # its row stays `sending`: `recover` settles it on start-up
            # Nothing in flight: the pass stops at its next row, without waiting on anything.
            done, _ = await asyncio.wait({running}, timeout=timeout)
            if not done:  # still looking a message up: its row is settled on the next start
                running.cancel()
        return not self._in_flight

    async def _deliver(self, row: OutboxRow) -> bool:
        payload = load_payload(row.payload)
        if row.kind == "resolved" and await self._waiting_for_original(payload):
            await self.ledger.retry(
                row.id, "waiting for the firing message", self.clock() + timedelta(seconds=5)
            )
            return False
        if (row.route, payload.channel) in self._failing:
            return False  # its route failed there a moment ago: the next pass tries again
        if not await self.ledger.take(row.id, self.clock() + self.lease):
            return False  # taken by another process sharing the database
        attempt = row.attempts + 1
        self._in_flight = True
        self._idle.clear()
        try:
            channel, ts = await self._send(row, payload)
        except Exception as raised:
            # The route answered (or the call failed): nothing is in flight any more. Any
            # error is a delivery failure, never a row left to wait in silence.
            exc = as_delivery_error(row.route, raised)
            log.info("outbox row %s attempt %s failed: %s", row.id, attempt, exc)
            if exc.code == "transport":
                # Maybe delivered (a timeout after the route took it): look first.
                self._in_flight = False
                self._idle.set()
                found = await self._look_up(row, payload)
                if isinstance(found, Sent):
                    await self._record_sent(row, payload, found.target, found.ref)
                    return True
                if found is _UNSURE:
                    await self.ledger.park(row.id, f"outcome unknown: {exc}")
                    return False
            if exc.needs_person or not exc.retryable:
                # Refused for good (the bot not in the channel, a body the route will not
                # take): shown with its fix until a delivery there works again.
                await self._report(row, payload, exc.code or str(exc))
            self._failing.add((row.route, payload.channel))
            retry_at = self.clock() + timedelta(seconds=self._retry_in(attempt, exc))
            await self.ledger.retry(row.id, str(exc), retry_at)
            return False
        else:
            await self._record_sent(row, payload, channel, ts)
            return True
        finally:
            self._in_flight = False
            self._idle.set()

    def _retry_in(self, attempt: int, exc: DeliveryError) -> float:
        """Seconds until the next attempt after failed attempt number `attempt` (from 1):
        the first `tries` quickly (exponential from `base_delay`, or the route's
        Retry-After), then doubling from 10 s up to an hour; a refusal only a person can
        fix is retried within 5 minutes of the fix, one no retry can fix hourly."""
        later = min(3600.0, 10.0 * 2 ** min(max(attempt - self.tries, 0), 9))
        if exc.needs_person:
            return min(300.0, later)
        if not exc.retryable:
            return 3600.0
        after = exc.retry_after
        if attempt < self.tries:
            quick = self.base_delay * 2 ** (attempt - 1)
            return min(float(after), 3600.0) if after else min(quick, self.max_delay)
        return max(later, min(float(after or 0), 3600.0))

    async def _report(self, row: OutboxRow, payload: Payload, reason: str) -> None:
        """A failure only a person can fix: stored for /healthz, `status` and Home, and
        logged at WARNING once (not at every retry) until a delivery there works again."""
        try:
            news = await self.ledger.report(row.route, payload.channel, reason, self.clock())
        except Exception:  # reporting must never stop delivery
            log.exception("could not record a delivery problem")
            return
        if news:
            log.warning(
                "%s cannot deliver to %s (%s): %s",
                ROUTE_NAMES.get(row.route, row.route),
                payload.channel,
                reason,
                fix_for(row.route, reason, payload.channel),
            )

    async def _waiting_for_original(self, payload: Payload) -> bool:
        alert = payload.alerts[0]
        return await self.ledger.awaits_original(alert.rule_id, alert.fired_at)

    async def _send(self, row: OutboxRow, payload: Payload) -> tuple[str, str]:
        poster = self.posters.get(row.route)
        if poster is None:
            raise DeliveryError(
                f"the {row.route} route is not configured",
                retryable=False,
                code="route_not_configured",
                needs_person=True,
            )
        reply_to: Sent | None = None
        if row.kind in ("resolved", "nodata"):
            reply_to = await self._original(row, payload, poster)
        sent = await poster.send(Message(row.kind, row.dedup_key, payload, reply_to))
        return sent.target, sent.ref

    async def _original(self, row: OutboxRow, payload: Payload, poster: Poster) -> Sent | None:
        """The alert's first message, for a follow-up to answer. A resolution first shows
        it resolved (Slack edits it), once: only the reply needs the guard."""
        alert = payload.alerts[0]
        original = await self.ledger.original(alert.rule_id, alert.fired_at)
        if original is None:
            return None
        sent = Sent(original.channel, original.ts)
        if row.kind == "resolved" and row.step != "edited":
            resolved_at = datetime.fromisoformat(payload.at)
            await self.ledger.mark_resolved(alert.rule_id, alert.fired_at, resolved_at)
            await self._edit_original(payload, original.outbox_id, sent, poster)
            await self.ledger.done_step(row.id, "edited")
        return sent

    async def _edit_original(
        self, payload: Payload, outbox_id: int, sent: Sent, poster: Poster
    ) -> None:
        """Show the original as the resolution's payload has it: composed when the alert
        resolved, so delivery only carries it out. A later resolution of the same message
        already shown there (its edit covers more alerts) wins: this older one is skipped."""
        edit = payload.edit
        first = await self.ledger.get(outbox_id)
        if edit is None or first is None:
            return  # queued before edits were composed: the reply says it all
        shown = await self.ledger.resolved_in(sent.target, sent.ref)
        if not shown <= set(edit.resolved):
            return
        # The edit's Reply (the Slack poster renders it), or an edit queued before replies
        # were stored: the text and blocks it was rendered to then.
        again = load_payload(first.payload).model_copy(
            update={"reply": edit.reply, "text": edit.text, "blocks": edit.blocks}
        )
        try:
            await poster.mark_resolved(sent, again)
        except Exception as exc:
            if as_delivery_error(poster.route, exc).code in (
                "message_not_found",
                "cant_update_message",
            ):
                log.warning("original alert message %s gone; replying anyway", sent.ref)
                return
            raise
