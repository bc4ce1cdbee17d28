"""Slash-command answers as Slack messages, with plan-only answers rendered once.

`tier 2` depends only on the plan and the text, and rendering it to Block Kit costs more
than everything else the bot does for a request (docs/PERFORMANCE.md), so the rendered
message is kept, bounded, for as long as the same plan is live (a reload starts afresh),
and so is the ack's body already encoded as JSON (~5 KB: encoding it is the next cost).
Answers that may read the store are computed on a worker thread, so a slow query never
holds the event loop.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bot.commands import Context, Router
from bot.core.offload import in_thread
from bot.domain.plan import Plan
from bot.render.blocks import render_message
from bot.reply import Reply

__all__ = ["Answers"]


def _ack_body(message: dict[str, Any]) -> str:
    return json.dumps({"response_type": "ephemeral", **message}, separators=(",", ":"))


class Answers:
    def __init__(self, router: Router, size: int = 256) -> None:
        self.router = router
        self.size = size
        self._kept: OrderedDict[str, tuple[Reply, dict[str, Any], str]] = OrderedDict()
        self._plan: object = None  # the plan the kept answers were rendered from

    def _compute(self, text: str, ctx: Context, share: bool) -> tuple[Reply, dict[str, Any]]:
        reply = self.router.dispatch(text, ctx)
        share = share and reply.effect is None and self.router.shareable(text)
        return reply, render_message(reply, command=text, share=share)

    def _lookup(self, plan: Plan, key: str) -> tuple[Reply, dict[str, Any], str] | None:
        if plan is not self._plan:
            # A reload put another plan live: every kept answer is of the old one.
            self._kept.clear()
            self._plan = plan
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
        return kept

    def _kept_answer(
        self, text: str, ctx: Context, share: bool
    ) -> tuple[Reply, dict[str, Any], str | None]:
        key = f"{int(share)}:{text.strip()}"
        kept = self._lookup(ctx.plan, key)
        if kept is not None:
            return kept
        reply, message = self._compute(text, ctx, share)
        if reply.error or not self.router.plan_only(text):
            return reply, message, None
        body = _ack_body(message)
        self._kept[key] = (reply, message, body)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return reply, message, body

    def answer(
        self, text: str, ctx: Context, *, share: bool = True
    ) -> tuple[Reply, dict[str, Any]]:
        """The Reply and its message. The Share button re-runs the text for the channel, so
        it is offered only on answers that neither have an effect nor write anything."""
        reply, message, _ = self._kept_answer(text, ctx, share)
        return reply, dict(message)

    async def ack_body(
        self, text: str, plan: Plan, context: Callable[[], Context]
    ) -> tuple[Reply, str]:
        """The Reply and the ephemeral ack's JSON body, for the live `plan`. A kept answer
        costs a dict lookup (`context` is not even called); other plan-only answers are
        computed on the loop (well under a millisecond) and kept; anything else, which may
        read the store, is computed on a worker thread."""
        kept = self._lookup(plan, f"1:{text.strip()}")
        if kept is not None:
            return kept[0], kept[2]
        if self.router.plan_only(text):
            reply, message, body = self._kept_answer(text, context(), True)
        else:
            reply, message = await in_thread(self._compute, text, context(), True)
            body = None
        return reply, body if body is not None else _ack_body(message)
