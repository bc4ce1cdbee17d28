"""Change-log confirmations through the durable outbox.

The confirmation of a new entry is queued in the same transaction that stores the entry,
so an acknowledged entry always has one. Right after the ack the listener claims the row
and posts it (falling back to a DM when the channel refuses, as before); if the process
dies first, the outbox worker sends the row after a short grace, and a post whose answer
was lost is reconciled by its metadata key like any other. A resubmission of a stored
entry finds its row: queued (sent now), or already sent (nothing twice).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.changes import PostConfirmation, fmt_cost
from bot.commands.router import Context
from bot.core.offload import runner
from bot.deps import Deps
from bot.notify.compose import Payload
from bot.notify.slack import OUTBOX_EVENT
from bot.render.modals import change_message
from bot.services.changes import FormOutcome, confirmation, submit_change_form
from store import Store

__all__ = [
    "GRACE",
    "confirmation_key",
    "deliver_confirmation",
    "queue_confirmation",
    "submit_and_queue",
]

log = logging.getLogger(__name__)

# How long the worker leaves a fresh confirmation to the listener that queued it.
GRACE = timedelta(seconds=5)
# The listener's post: at most POST_TIMEOUT, and the row is its own until LEASE is over.
POST_TIMEOUT = 10.0
LEASE = timedelta(seconds=30)


def confirmation_key(effect: PostConfirmation) -> str:
    return f"change:{effect.change.id}:{effect.verb}"


def queue_confirmation(store: Store, effect: PostConfirmation, now: datetime) -> str | None:
    """Queue a new entry's confirmation (call inside the transaction that stored it);
    returns its key. Edits and deletes replace a message in place and are not queued."""
    if effect.update is not None or not effect.targets:
        return None
    key = confirmation_key(effect)
    message = change_message(effect.change, cost=effect.cost, verb=effect.verb)
    payload = Payload(
        kind="confirmation",
        channel=effect.targets[0],
        alerts=(),
        at=now.isoformat(),
        text=message["text"],
        blocks=message["blocks"],
    )
    store.outbox.enqueue(key, "confirmation", payload.model_dump_json(), now + GRACE)
    return key


def submit_and_queue(
    deps: Deps,
    ctx: Context,
    fields: dict[str, str],
    *,
    key: str,
    change_id: int | None,
    message_ts: str | None,
) -> tuple[FormOutcome, PostConfirmation | None, str | None]:
    """Store the form and queue its confirmation in one transaction: (outcome, what to
    show, the queued key). A resubmission of a stored entry gets its confirmation again
    when it was never sent (the key is the entry's, so a sent one is not sent twice)."""
    user = ctx.user_id or ""
    store = deps.store
    with store.transaction():
        outcome = submit_change_form(ctx, fields, key=key, change_id=change_id)
        effect = confirmation(
            outcome, user_id=user, channel_id=ctx.channel_id, message_ts=message_ts
        )
        change = outcome.change
        if effect is None and change is not None and not outcome.edited:
            targets = tuple(t for t in (change.channel_id, user) if t)
            effect = PostConfirmation(
                change, "logged", fmt_cost(change.cost_change), targets=targets
            )
        queued = queue_confirmation(store, effect, ctx.now) if effect is not None else None
    return outcome, effect, queued


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": OUTBOX_EVENT, "event_payload": {"key": key}}


async def deliver_confirmation(
    client: AsyncWebClient, deps: Deps, effect: PostConfirmation, key: str, now: datetime
) -> bool:
    """Post the queued confirmation `key` now, to each target in turn; False when it was
    not queued any more (sent before). Raises the last SlackApiError when nowhere took it
    (the row is queued again for the worker). Its store calls run on a worker thread:
    another process may hold the write lock, and the event loop must not wait for it (in
    place for an in-memory database, whose one connection threads would share)."""
    outbox = deps.store.outbox
    run = runner(deps.store.in_memory)
    row = await run(outbox.claim, key, now + LEASE)
    if row is None:
        return False
    message = change_message(effect.change, cost=effect.cost, verb=effect.verb)
    failure: SlackApiError | None = None
    for target in effect.targets:
        try:
            # Bounded well inside the lease, so no other run reconciles it mid-send.
            resp = await asyncio.wait_for(
                client.chat_postMessage(channel=target, metadata=_metadata(key), **message),
                POST_TIMEOUT,
            )
        except SlackApiError as exc:
            log.info("confirmation to %s failed (%s)", target, exc)
            failure = exc
            continue
        except BaseException:
            # If even this cannot be recorded, the lease runs out and the worker settles it.
            await run(outbox.mark_unknown, row.id, "confirmation post interrupted")
            raise
        await run(outbox.mark_sent, row.id, str(resp["channel"]), str(resp["ts"]), now)
        return True
    await run(outbox.mark_failed, row.id, str(failure), now + GRACE)
    if failure is not None:
        raise failure
    return False
