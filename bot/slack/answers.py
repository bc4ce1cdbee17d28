"""Slash-command answers as Slack messages, with plan-only answers rendered once.

`tier 2` depends only on the plan and the text, and rendering it to Block Kit costs more
than everything else the bot does for a request (docs/PERFORMANCE.md), so the answer is
kept for as long as the same plan is live (a reload starts afresh), as the ack's body
already encoded as JSON (~5 KB: encoding it is the next cost), bounded by count and by
characters (`KEPT_CHARS`). Answers that may read the store are computed on a worker
thread, so a slow query never holds the event loop; one not ready when the ack is due
(another process holding the database's write lock, say) is acked "working on it" and
followed up when it is.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from bot.commands import Context, Request, Router
from bot.core.offload import in_thread
from bot.domain.plan import Plan
from bot.render.blocks import render_message
from bot.reply import Reply

__all__ = ["ACK_WITHIN", "KEPT_CHARS", "WORKING", "Answers", "Later"]

# How long an answer computed on a worker thread may take before the ack goes without it:
# Slack drops an ack after 3 seconds, and the ack still has to travel.
ACK_WITHIN = 2.0
# What the ack says when the answer is still being computed.
WORKING = json.dumps(
    {"response_type": "ephemeral", "text": "Working on it: the answer follows in a moment."}
)


@dataclass(frozen=True)
class Later:
    """An answer not ready by the ack: ack with WORKING, then respond with `answer`'s."""

    answer: asyncio.Future[tuple[Reply, dict[str, Any]]]


def _ack_body(message: dict[str, Any]) -> str:
    return json.dumps({"response_type": "ephemeral", **message}, separators=(",", ":"))


# What the kept answers may hold in all: their acks' JSON bodies, in characters (~5 KB
# an answer, so about 200 of them).
KEPT_CHARS = 1_000_000


class Answers:
    """The rendered plan-only answers, kept least recently used first out: at most `size`
    of them and `max_chars` characters of JSON in all. An answer is kept as its title and
    its ack's JSON body (one string, big enough to live outside Python's small-object
    arenas), not as the Reply and Block Kit dicts it was rendered from: those thousands of
    small objects, renewed through a burst, would pin the arenas they were allocated in
    after the burst is over (docs/PERFORMANCE.md)."""

    def __init__(self, router: Router, size: int = 256, max_chars: int = KEPT_CHARS) -> None:
        self.router = router
        self.size = size
        self.max_chars = max_chars
        self._kept: OrderedDict[str, tuple[str, str]] = OrderedDict()  # key -> (title, body)
        self._chars = 0  # the kept bodies' length in all
        self._plan: object = None  # the plan the kept answers were rendered from

    @property
    def kept(self) -> tuple[int, int]:
        """How many answers are kept, and their bodies' characters in all."""
        return len(self._kept), self._chars

    def clear(self) -> None:
        """Drop every kept answer (an idle bot after a burst: rendering one again costs
        about a millisecond, keeping them ~1 MB)."""
        self._kept = OrderedDict()  # a new one: the emptied one keeps its table
        self._chars = 0

    def _request(self, request: str | Request) -> Request:
        return self.router.parse(request) if isinstance(request, str) else request

    def _compute(
        self,
        request: Request,
        ctx: Context,
        share: bool,
        waiting: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> tuple[Reply, dict[str, Any]]:
        with waiting():
            reply = self.router.dispatch(request, ctx)
        share = share and reply.effect is None and request.shareable
        return reply, render_message(reply, command=request.text, share=share)

    def _lookup(self, plan: Plan, key: str) -> tuple[Reply, str] | None:
        if plan is not self._plan:
            # A reload put another plan live: every kept answer is of the old one.
            self.clear()
            self._plan = plan
        kept = self._kept.get(key)
        if kept is None:
            return None
        self._kept.move_to_end(key)
        # Only answers without an error or an effect are kept: the title is all the
        # listener reads of their Reply besides those.
        return Reply(title=kept[0]), kept[1]

    def _keep(self, key: str, title: str, body: str) -> None:
        if len(body) > self.max_chars:
            return
        self._kept[key] = (title, body)
        self._chars += len(body)
        while len(self._kept) > self.size or self._chars > self.max_chars:
            self._chars -= len(self._kept.popitem(last=False)[1][1])

    def _kept_answer(
        self, request: Request, ctx: Context, share: bool
    ) -> tuple[Reply, dict[str, Any] | None, str | None]:
        """The Reply, and its message or its ack body (at least one of the two)."""
        key = f"{int(share)}:{request.text.strip()}"
        kept = self._lookup(ctx.plan, key)
        if kept is not None:
            return kept[0], None, kept[1]
        reply, message = self._compute(request, ctx, share)
        if reply.error or reply.effect is not None or not request.plan_only:
            return reply, message, None
        body = _ack_body(message)
        self._keep(key, reply.title, body)
        return reply, message, body

    def answer(
        self, request: str | Request, ctx: Context, *, share: bool = True
    ) -> tuple[Reply, dict[str, Any]]:
        """The Reply and its message. The Share button re-runs the text for the channel, so
        it is offered only on answers that neither have an effect nor write anything."""
        reply, message, body = self._kept_answer(self._request(request), ctx, share)
        if message is None:
            assert body is not None
            message = json.loads(body)
            del message["response_type"]
        return reply, dict(message)

    async def ack_body(
        self,
        request: str | Request,
        plan: Plan,
        context: Callable[[], Context],
        waiting: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> tuple[Reply, str] | Later:
        """The Reply and the ephemeral ack's JSON body, for the live `plan`. A kept answer
        costs a dict lookup (`context` is not even called); other plan-only answers are
        computed on the loop (well under a millisecond) and kept; anything else, which may
        read or write the store, is computed on a worker thread inside `waiting` (how long
        its writes wait for another's lock), and is `Later` when not ready by ACK_WITHIN."""
        request = self._request(request)
        kept = self._lookup(plan, f"1:{request.text.strip()}")
        if kept is not None:
            return kept
        if request.plan_only:
            reply, fresh, body = self._kept_answer(request, context(), True)
            if body is None:
                assert fresh is not None
                body = _ack_body(fresh)
            return reply, body
        work = asyncio.ensure_future(in_thread(self._compute, request, context(), True, waiting))
        try:
            reply, message = await asyncio.wait_for(asyncio.shield(work), ACK_WITHIN)
        except TimeoutError:
            return Later(work)
        return reply, _ack_body(message)
