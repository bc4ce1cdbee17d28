"""The Slack Web API calls notifications make. The only notify module importing slack_sdk,
and the only one that knows Block Kit: an outbox row holds its message as data (a Reply),
rendered here when it is posted (`slack_message`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.monitor.routes import RouteName
from bot.notify.poster import DeliveryError, Message, Sent
from bot.notify.retry_after import retry_after
from bot.render.blocks import render_message
from bot.render.stored import in_stored_currency, load_reply

if TYPE_CHECKING:
    from bot.notify.compose import Payload

__all__ = [
    "NEEDS_PERSON",
    "OUTBOX_EVENT",
    "DeliveryError",
    "SlackPoster",
    "make_client",
    "slack_message",
]

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

# Errors no retry fixes: a person must invite the bot, fix the channel or the token.
NEEDS_PERSON = {
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "not_authed",
    "missing_scope",
}


def make_client(token: str, base_url: str, timeout: int = 10) -> AsyncWebClient:
    """A client that does not retry by itself: the outbox worker owns retries and backoff."""
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


def slack_message(payload: Payload) -> dict[str, Any]:
    """`{"text": ..., "blocks": [...]}` for chat.postMessage and chat.update: the payload's
    Reply rendered to Block Kit, in the currency it was composed in. A row queued before
    replies were stored holds Slack's text and blocks already rendered: posted as they are."""
    if payload.reply is None:
        return {"text": payload.text, "blocks": payload.blocks}
    with in_stored_currency(payload.reply):
        return render_message(load_reply(payload.reply))


def _error(exc: Exception) -> DeliveryError:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        code = str(exc.response.get("error", "") or "")
        after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        retryable = status == 429 or status >= 500 or code in _RETRYABLE
        return DeliveryError(
            f"slack {status} {code}",
            retryable=retryable,
            retry_after=retry_after(after),
            code=code,
            needs_person=code in NEEDS_PERSON,
        )
    # Timeouts and dropped connections: the request may or may not have arrived.
    return DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True, code="transport")


class SlackPoster:
    """chat.postMessage and chat.update, with failures as DeliveryError."""

    route: RouteName = "slack"
    # Its channel's history shows whether a post whose answer never came went (`find`).
    can_find = True
    resend_safe = False

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, message: Message) -> Sent:
        """A follow-up replies in the original's thread; anything else posts in the channel."""
        payload, original = message.payload, message.reply_to
        shown = slack_message(payload)
        channel, ts = await self.post(
            original.target if original else payload.channel,
            shown["text"],
            shown["blocks"],
            thread_ts=original.ref if original else None,
            dedup_key=message.key,
        )
        return Sent(channel, ts)

    async def find(self, message: Message) -> Sent | None:
        """Where `message` went if Slack has it (its key in a message's metadata), else
        None: whether a post whose answer never came (a timeout, a kill) reached the
        channel. Needs the history scope of the channel's type (channels:history,
        groups:history); raises DeliveryError when the lookup fails."""
        original = message.reply_to
        channel = original.target if original else message.payload.channel
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
                if original:
                    resp = await self.client.conversations_replies(ts=original.ref, **args)
                else:
                    resp = await self.client.conversations_history(**args)
            except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
                raise _error(exc) from exc
            for found in resp.get("messages") or []:
                meta = found.get("metadata") or {}
                key = (meta.get("event_payload") or {}).get("key")
                if meta.get("event_type") == OUTBOX_EVENT and key == message.key:
                    return Sent(channel, str(found["ts"]))
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None

    async def mark_resolved(self, original: Sent, payload: Payload) -> None:
        """`payload` is the original message as it reads now (its edit): rendered here."""
        shown = slack_message(payload)
        await self.update(original.target, original.ref, shown["text"], shown["blocks"])

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
