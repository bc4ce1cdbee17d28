"""The Slack Web API calls notifications make. The only notify module importing slack_sdk."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["OUTBOX_EVENT", "DeliveryError", "SlackPoster", "make_client"]

# The message metadata event type that carries an outbox key (see `SlackPoster.find`).
OUTBOX_EVENT = "capacity_bot_outbox"
# How far back `find` looks: newest first, a few pages of the channel (or the thread).
FIND_PAGES = 3
FIND_PAGE_SIZE = 200

# Slack errors worth trying again: the request was refused before anything was posted.
_RETRYABLE = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


class DeliveryError(Exception):
    """A failed call; `retryable` when another attempt may succeed."""

    def __init__(
        self, message: str, *, retryable: bool, retry_after: float | None = None, code: str = ""
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code


def make_client(token: str, base_url: str, timeout: int = 10) -> AsyncWebClient:
    """A client that does not retry by itself: the outbox worker owns retries and backoff."""
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


def _error(exc: Exception) -> DeliveryError:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        code = str(exc.response.get("error", "") or "")
        after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        retry_after = float(after) if after else None
        retryable = status == 429 or status >= 500 or code in _RETRYABLE
        return DeliveryError(
            f"slack {status} {code}", retryable=retryable, retry_after=retry_after, code=code
        )
    # Timeouts and dropped connections: the request may or may not have arrived.
    return DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True, code="transport")


class SlackPoster:
    """chat.postMessage and chat.update, with failures as DeliveryError."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        thread_ts: str | None = None,
        dedup_key: str | None = None,
    ) -> tuple[str, str]:
        """Post; returns (channel, ts). `dedup_key` rides along as message metadata so a
        human (or a later reconcile via conversations.history) can tell what was sent."""
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        if dedup_key:
            kwargs["metadata"] = {"event_type": OUTBOX_EVENT, "event_payload": {"key": dedup_key}}
        try:
            resp = await self.client.chat_postMessage(**kwargs)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _error(exc) from exc
        return str(resp["channel"]), str(resp["ts"])

    async def find(
        self, channel: str, dedup_key: str, *, thread_ts: str | None = None
    ) -> str | None:
        """The ts of a message we posted with `dedup_key` in its metadata, or None: whether
        a post whose answer never came (a timeout, a kill) reached the channel. Needs the
        history scope of the channel's type (channels:history, groups:history)."""
        cursor: str | None = None
        for _ in range(FIND_PAGES):
            args: dict[str, Any] = {
                "channel": channel,
                "include_all_metadata": True,
                "limit": FIND_PAGE_SIZE,
            }
            if cursor:
                args["cursor"] = cursor
            try:
                if thread_ts:
                    resp = await self.client.conversations_replies(ts=thread_ts, **args)
                else:
                    resp = await self.client.conversations_history(**args)
            except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
                raise _error(exc) from exc
            for message in resp.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == OUTBOX_EVENT and payload.get("key") == dedup_key:
                    return str(message["ts"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None

    async def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _error(exc) from exc

    async def upload(self, channel: str, content: bytes, filename: str, title: str) -> str | None:
        """files_upload_v2 into `channel`; returns the file id."""
        try:
            resp = await self.client.files_upload_v2(
                channel=channel, content=content, filename=filename, title=title
            )
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _error(exc) from exc
        file = resp.get("file") or {}
        return str(file.get("id")) if file.get("id") else None
