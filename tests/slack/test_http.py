"""Slash commands, buttons and events over signed HTTP, as Slack sends them."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest

from bot.commands import build_router
from bot.planio.planfile import default_plan
from bot.render.blocks import SHARE_ACTION_ID
from tests.fakeslack import (
    FakeSlack,
    event_body,
    interactivity_body,
    slash_command_body,
    validate_blocks,
    validate_view,
)
from tests.render.test_blocks import command_texts
from tests.slack.conftest import BotFactory, boom_router, post_signed


def blocks_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def test_every_router_command_answers_in_the_ack_with_valid_blocks(
    make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    for text in command_texts(default_plan()):
        status, answer = await post_signed(http, bot, slash_command_body(text))
        assert status == 200, text
        assert answer["response_type"] == "ephemeral"
        assert answer["text"]
        assert validate_blocks(answer["blocks"], "message") == [], text


async def test_answer_after_ack_goes_to_the_response_url(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot(answer_in_ack=False)
    url = slack.new_response_url(channel="C1", user_id="U1")
    status, _ = await post_signed(http, bot, slash_command_body("tier 2", response_url=url))
    assert status == 200
    posts = await slack.wait_for(lambda: slack.responses(url), timeout=5)
    assert posts[0].status == 200
    assert "+337%" in posts[0].text
    assert slack.ephemerals_in("C1", "U1")


@pytest.mark.parametrize(
    "text",
    [
        "help",
        "&lt;",
        "<@U123>",
        "*bold*",
        "tier 2 " + "x" * 3990,
        "x" * 4000,
        "x" * 4100,
        "тир 2 ✓ 🚀 名前",
        "\"unbalanced 'quotes",
        "   ",
        "tier\t2\n",
        "/capacity tier 2",
        "DROP TABLE changes; --",
    ],
)
async def test_any_typed_text_reaches_the_router(
    text: str, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    status, answer = await post_signed(http, bot, slash_command_body(text))
    assert status == 200
    assert validate_blocks(answer["blocks"], "message") == []
    expected = build_router().dispatch(text, bot.deps.context("U1", "C1"))
    assert answer["blocks"][0]["text"]["text"].endswith(expected.title[:100])
    rendered = blocks_text(answer["blocks"])
    assert "<@U123>" not in rendered  # echoed input never pings anyone


async def test_forged_expired_and_replayed_requests_get_401_and_change_nothing(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    url = slack.new_response_url(channel="C1", user_id="U1")
    body = slash_command_body("tier 2", response_url=url)
    status, _ = await post_signed(http, bot, body, secret="wrong-secret")
    assert status == 401
    status, _ = await post_signed(http, bot, body, timestamp=int(time.time()) - 301)
    assert status == 401
    # A captured request with its text changed but the old signature replayed.
    from tests.fakeslack import signed_headers

    headers = signed_headers("test-signing-secret", body)
    altered = slash_command_body("tier 3", response_url=url)
    endpoint = f"http://127.0.0.1:{bot.port}/slack/events"
    async with http.post(endpoint, data=altered, headers=headers) as resp:
        assert resp.status == 401
    async with http.post(endpoint, data=body, headers={}) as resp:
        assert resp.status == 401
    assert slack.responses(url) == []
    # Only serve's own start-up reads (the token; the alerts channel for /healthz).
    startup = ("auth.test", "conversations.info")
    assert [c for c in slack.calls if c.method not in startup] == []


async def test_share_button_posts_the_fresh_answer_in_channel(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    _, answer = await post_signed(http, bot, slash_command_body("tier 2"))
    button = answer["blocks"][-1]["elements"][0]
    assert button["action_id"] == SHARE_ACTION_ID
    url = slack.new_response_url(channel="C1", user_id="U1")
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "tester"},
        "team": {"id": "T1"},
        "api_app_id": "A0FAKE",
        "channel": {"id": "C1", "name": "general"},
        "container": {"type": "message", "is_ephemeral": True},
        "trigger_id": slack.new_trigger_id("U1"),
        "response_url": url,
        "actions": [{**button, "block_id": "b9", "type": "button", "action_ts": "1.2"}],
    }
    status, _ = await post_signed(http, bot, interactivity_body(payload))
    assert status == 200
    messages = await slack.wait_for(lambda: slack.messages_in("C1"), timeout=5)
    assert "+337%" in messages[0].text
    assert validate_blocks(messages[0].blocks, "message") == []
    assert all(b["type"] != "actions" for b in messages[0].blocks)  # no share-again button


async def test_home_tab_publishes_on_app_home_opened(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    event = {"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"}
    status, _ = await post_signed(http, bot, event_body(event), content_type="application/json")
    assert status == 200
    view = await slack.wait_for(lambda: slack.home_views.get("U7"), timeout=5)
    assert validate_view(view.view) == []
    shown = blocks_text(view.view["blocks"])
    assert "Trigger reached" in shown and "$40/mo planned for Tier 0" in shown
    for command in build_router().commands:
        assert f"/capacity {command.usage}" in shown


async def test_messages_tab_does_not_publish_home(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    event = {"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "messages"}
    status, _ = await post_signed(http, bot, event_body(event), content_type="application/json")
    assert status == 200
    assert slack.calls_to("views.publish") == []


async def test_url_verification_challenge_is_answered(
    make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    status, answer = await post_signed(http, bot, body, content_type="application/json")
    assert status == 200
    assert answer == {"challenge": "abc123"}


async def test_a_listener_exception_becomes_an_apology_with_a_reference(
    make_bot: BotFactory, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(router=boom_router())
    status, answer = await post_signed(http, bot, slash_command_body("boom now"))
    assert status == 200
    text = blocks_text(answer["blocks"]) + answer["text"]
    assert "Sorry, something went wrong" in text
    assert "Reference" in text
    assert "Traceback" not in text and "kaboom" not in text and "xoxb" not in text
    assert validate_blocks(answer["blocks"], "message") == []
    logged = [r for r in caplog.records if r.name == "capacity_bot.slack"]
    assert logged and "boom now" in logged[0].getMessage()
    assert "test-signing-secret" not in caplog.text


async def test_an_exception_after_ack_apologises_through_the_response_url(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot(router=boom_router(), answer_in_ack=False)
    url = slack.new_response_url(channel="C1", user_id="U1")
    status, _ = await post_signed(http, bot, slash_command_body("boom", response_url=url))
    assert status == 200
    posts = await slack.wait_for(lambda: slack.responses(url), timeout=5)
    assert "Reference" in posts[0].text and "kaboom" not in posts[0].text


async def test_healthz_reports_the_store(make_bot: BotFactory, http: aiohttp.ClientSession) -> None:
    bot = await make_bot()
    async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["status"] == "ok" and body["store"] is True and body["mode"] == "http"
    bot.deps.store.close()
    async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
        assert resp.status == 503


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("tier\u00a02", "+337%"),  # a no-break space from a phone keyboard
        ("tier 0", "Monthly budget"),
        ("tier ²", "write `2` in digits 0-9"),
        ("breakeven 25,50", "`25,50` is ambiguous: write 25.50 or 2,550."),
        ("metric cpu_pct 150", "maximum of 100%"),
    ],
)
async def test_typed_numbers_over_slack_read_or_refuse_as_in_the_shell(
    make_bot: BotFactory, http: aiohttp.ClientSession, text: str, shown: str
) -> None:
    bot = await make_bot()
    status, answer = await post_signed(http, bot, slash_command_body(text))
    assert status == 200
    assert shown in blocks_text(answer["blocks"]), answer
    assert "Sorry" not in blocks_text(answer["blocks"])
