"""Slash-command answers as Slack messages, with plan-only answers rendered once.

`tier 2` depends only on the plan and the text, and rendering it to Block Kit costs more
than everything else the bot does for a request (docs/PERFORMANCE.md), so the rendered
message is kept, bounded, for as long as the same plan is live (a reload starts afresh).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from bot.commands import Context, Router
from bot.render.blocks import render_message
from bot.reply import Reply

__all__ = ["Answers"]


class Answers:
    def __init__(self, router: Router, size: int = 256) -> None:
        self.router = router
        self.size = size
        self._kept: OrderedDict[str, tuple[Reply, dict[str, Any]]] = OrderedDict()
        self._plan: object = None  # the plan the kept answers were rendered from

    def answer(
        self, text: str, ctx: Context, *, share: bool = True
    ) -> tuple[Reply, dict[str, Any]]:
        """The Reply and its message. The Share button re-runs the text for the channel, so
        it is offered only on answers that neither have an effect nor write anything."""
        if ctx.plan is not self._plan:
            # A reload put another plan live: every kept answer is of the old one.
            self._kept.clear()
            self._plan = ctx.plan
        key = f"{int(share)}:{text.strip()}"
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept[0], dict(kept[1])
        reply = self.router.dispatch(text, ctx)
        share = share and reply.effect is None and self.router.shareable(text)
        message = render_message(reply, command=text, share=share)
        if not reply.error and self.router.plan_only(text):
            self._kept[key] = (reply, message)
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return reply, dict(message)
