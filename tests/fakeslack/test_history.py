"""The fake keeps message metadata and serves conversations.history/replies as Slack does,
and can answer a call late (posted, answer after the client gave up)."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import FakeSlack

META = {"event_type": "capacity_bot_outbox", "event_payload": {"key": "k1"}}


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=[])


async def test_history_is_newest_first_and_shows_metadata_only_when_asked(
    client: AsyncWebClient,
) -> None:
    first = await client.chat_postMessage(channel="C1", text="one", metadata=META)
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])
    await client.chat_postMessage(channel="C1", text="two")
    plain = await client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]  # no thread replies
    assert all("metadata" not in m for m in plain["messages"])
    full = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == META
    limited = await client.conversations_history(channel="C1", limit=1)
    assert len(limited["messages"]) == 1 and limited["has_more"] is True


async def test_replies_list_the_thread_with_its_metadata(client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C1", text="alert")
    await client.chat_postMessage(
        channel="C1", text="resolved", thread_ts=parent["ts"], metadata=META
    )
    thread = await client.conversations_replies(
        channel="C1", ts=parent["ts"], include_all_metadata=True
    )
    assert [m["text"] for m in thread["messages"]] == ["alert", "resolved"]
    assert thread["messages"][1]["metadata"] == META


async def test_a_delayed_call_is_carried_out_before_the_late_answer(
    slack: FakeSlack,
) -> None:
    impatient = AsyncWebClient(
        token=slack.bot_token, base_url=slack.api_url, timeout=1, retry_handlers=[]
    )
    slack.delay_next("chat.postMessage", 3)
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        await impatient.chat_postMessage(channel="C1", text="late")
    assert [m.text for m in slack.messages_in("C1")] == ["late"]
