"""The message an Infracost estimate posts: what the change does to the monthly estimate
against the built tier's budget. Pure: `now` passed in."""

from __future__ import annotations

from datetime import datetime

from bot.domain.estimate import Estimate, estimate_words
from bot.domain.plan import Plan
from bot.notify.compose import OutboxItem, reply_payload
from bot.reply import Reply, Text

__all__ = ["estimate_notice"]


def estimate_notice(
    plan: Plan, estimate: Estimate, channel: str, now: datetime, source: str = ""
) -> OutboxItem:
    """Keyed by the estimate's figures: the same estimate posted twice is one message."""
    words = estimate_words(plan, estimate)
    where = f" ({source})" if source else ""
    reply = Reply(
        title=f"Infrastructure cost estimate{where}",
        parts=(Text(words + "."),),
        notes=("From Infracost, before the change is applied. `/capacity spend` shows the bills.",),
    )
    payload = reply_payload("estimate", channel, reply, now)
    return OutboxItem(estimate.key, "estimate", payload, ())
