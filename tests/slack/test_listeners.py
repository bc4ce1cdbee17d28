"""The listener callbacks called directly, with a Front of the test's own: no Bolt, no HTTP."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.front import Front, build_front
from bot.slack.listeners.changes import more_clicked
from bot.slack.listeners.commands import capacity, share
from bot.slack.listeners.errors import drain_background
from bot.slack.listeners.home import home_opened
from tests.support.metrics_helpers import Clock, make_deps


class Calls:
    """Records what a callback passed to ack, respond or the Web API client."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def recorder(self, name: str) -> Any:
        async def record(*args: Any, **kwargs: Any) -> None:
            if args:  # ack(body): the answer already encoded, as Bolt sends it
                kwargs = {**json.loads(args[0]), **kwargs}
            self.seen.append((name, kwargs))

        return record

    def __getattr__(self, name: str) -> Any:  # client.views_publish(...) and the like
        return self.recorder(name)

    def named(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for seen, kwargs in self.seen if seen == name]


def front(**settings: Any) -> Front:
    return build_front(make_deps(Clock(), **settings))


async def test_capacity_answers_in_the_ack_ephemerally() -> None:
    calls = Calls()
    command = {"text": "tier 2", "user_id": "U1", "channel_id": "C1"}
    await capacity(calls.recorder("ack"), command, calls.recorder("respond"), calls, front())
    [acked] = calls.named("ack")
    assert acked["response_type"] == "ephemeral" and "+337%" in acked["text"]
    assert calls.named("respond") == []


async def test_capacity_without_answer_in_ack_acks_empty_and_responds() -> None:
    calls = Calls()
    quiet = front()
    quiet.answer_in_ack = False
    command = {"text": "tiers", "user_id": "U1", "channel_id": "C1"}
    await capacity(calls.recorder("ack"), command, calls.recorder("respond"), calls, quiet)
    await drain_background()
    assert calls.named("ack") == [{}]
    [responded] = calls.named("respond")
    assert "Growth tiers" in responded["text"]


async def test_share_posts_the_answer_in_the_channel() -> None:
    calls = Calls()
    body = {"user": {"id": "U1"}, "channel": {"id": "C1"}}
    await share(
        calls.recorder("ack"), body, {"value": "tier 1"}, calls.recorder("respond"), front()
    )
    await drain_background()
    [posted] = calls.named("respond")
    assert posted["response_type"] == "in_channel" and posted["replace_original"] is False


async def test_opening_the_home_tab_publishes_it_for_that_user() -> None:
    calls = Calls()
    await home_opened({"user": "U9", "tab": "home"}, calls, front())
    await drain_background()
    [published] = calls.named("views_publish")
    assert published["user_id"] == "U9" and published["view"]["type"] == "home"


async def test_the_messages_tab_publishes_nothing() -> None:
    calls = Calls()
    await home_opened({"user": "U9", "tab": "messages"}, calls, front())
    await drain_background()
    assert calls.seen == []


async def test_more_pages_the_change_log_as_a_new_ephemeral() -> None:
    calls = Calls()
    body = {"user": {"id": "U1"}, "channel": {"id": "C1"}, "actions": [{"value": "changes"}]}
    await more_clicked(calls.recorder("ack"), body, calls.recorder("respond"), front())
    await drain_background()
    [page] = calls.named("respond")
    assert page["response_type"] == "ephemeral" and page["replace_original"] is False
