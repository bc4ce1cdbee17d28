"""The one protocol every route's poster speaks (Slack, PagerDuty, email side by side).

The outbox worker hands a poster a `Message` (what to say, and for a follow-up, where the
alert's first message went) and records the `Sent` it gets back, so a resolution can find
the original on the same route: a Slack thread, a PagerDuty dedup key, an email Message-ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.notify.compose import Payload

__all__ = [
    "DeliveryError",
    "Message",
    "Poster",
    "Sent",
    "alert_key",
    "as_delivery_error",
]


class DeliveryError(Exception):
    """A failed delivery. `retryable` when another attempt may succeed; `needs_person` when
    only a person can fix it (the bot is not in the channel, a refused key): reported in
    /healthz, `status` and Home, and logged once."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        code: str = "",
        needs_person: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code
        self.needs_person = needs_person


@dataclass(frozen=True)
class Sent:
    """Where a message went: (Slack channel, ts), ("pagerduty", dedup key) or
    (recipients, Message-ID)."""

    target: str
    ref: str


@dataclass(frozen=True)
class Message:
    # firing, reminder, resolved, nodata or digest
    kind: str
    # The outbox row's dedup key: the same on every retry of this message.
    key: str
    payload: Payload
    # For a resolution or nodata: the alert's first message on this route, if it went.
    reply_to: Sent | None = None


class Poster(Protocol):
    """One route. `send` raises DeliveryError; `mark_resolved` shows the original message as
    resolved where the medium can (Slack edits it; PagerDuty and email cannot, so no-op)."""

    route: str

    async def send(self, message: Message) -> Sent: ...

    async def mark_resolved(self, original: Sent, payload: Payload) -> None: ...


def alert_key(rule_id: str, fired_at: str) -> str:
    """One alert (a rule's run from firing to resolution): PagerDuty's dedup key."""
    return f"capacity-bot/{rule_id}/{fired_at}"


def as_delivery_error(route: str, exc: Exception) -> DeliveryError:
    """Any error a poster raises is a delivery failure: one that is not a DeliveryError
    (the email library refusing a header, a body the client cannot encode) is a message
    the route could not take as composed, reported like a refusal a person must see."""
    if isinstance(exc, DeliveryError):
        return exc
    return DeliveryError(
        f"{route} could not send the message: {type(exc).__name__}: {exc}",
        retryable=False,
        code=f"message_refused ({type(exc).__name__})",
        needs_person=True,
    )
