"""slack_sdk's own 429 handler reads Retry-After with `int()`: `²` or an HTTP-date raise
inside the client, and `86400` would hold an answer for a day. This one reads the header
like every poster does (`bot.notify.retry_after`), bounded to what a person waits for."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.notify.retry_after import retry_after

__all__ = ["INTERACTIVE_WAIT", "RateLimitRetry"]

INTERACTIVE_WAIT = 10.0  # seconds: the longest a command's answer waits on a 429


class RateLimitRetry(AsyncRetryHandler):
    def __init__(
        self,
        max_retry_count: int = 1,
        *,
        limit: float = INTERACTIVE_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.limit = limit
        self._sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        value = header[0] if isinstance(header, list) and header else header
        wait = retry_after(value if isinstance(value, str) else None, limit=self.limit, default=1.0)
        # A little jitter so two clients told the same second do not return together.
        await self._sleep((wait or 0.0) + random.random() / 4)
        state.increment_current_attempt()
