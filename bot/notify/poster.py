"""What every alert route implements. The outbox worker speaks only this; each route (Slack
today, a pager or email later) is a poster module beside this one."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["DeliveryFailure", "Poster"]


class DeliveryFailure(Protocol):
    """What a poster's exception tells the worker: may another attempt succeed, and when."""

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
