"""The same scenarios over Socket Mode: envelopes in, acks (with answers) out."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp

from bot.planio.planfile import default_plan
from tests.fakeslack import FakeSlack, slash_command_payload, validate_blocks, validate_view
from tests.render.test_blocks import command_texts
from tests.slack.conftest import BotFactory, boom_router


def command_payload(slack: FakeSlack, text: str, **fields: Any) -> dict[str, str]:
    """A slash command whose response URL is on the fake (the bot uses no other)."""
    return slash_command_payload(text, response_url=slack.new_response_url(), **fields)


def events_api(event: dict) -> dict:
    return {
        "token": "t",
        "team_id": "T1",
        "api_app_id": "A0FAKE",
        "event": event,
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": int(time.time()),
    }


async def test_every_command_is_answered_in_the_socket_ack(
    slack: FakeSlack, make_bot: BotFactory
) -> None:
    bot = await make_bot(socket=True)
    await slack.wait_socket_connected(timeout=5)
    assert slack.calls_to("apps.connections.open")[0].token == slack.app_token
    for text in command_texts(default_plan()):
        ack = await slack.send_socket_event("slash_commands", command_payload(slack, text))
        payload = ack["payload"]
        assert payload["text"], text
        assert validate_blocks(payload["blocks"], "message") == [], text
    assert bot.mode == "socket"


async def test_socket_mode_still_serves_healthz_but_not_slack_events(
    slack: FakeSlack, make_bot: BotFactory
) -> None:
    bot = await make_bot(socket=True)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as resp:
            assert resp.status == 200
            assert (await resp.json())["mode"] == "socket"
        async with http.post(f"http://127.0.0.1:{bot.port}/slack/events", data=b"x") as resp:
            assert resp.status in (404, 405)


async def test_home_tab_and_share_button_over_socket_mode(
    slack: FakeSlack, make_bot: BotFactory
) -> None:
    await make_bot(socket=True)
    await slack.wait_socket_connected(timeout=5)
    event = {"type": "app_home_opened", "user": "U9", "channel": "D9", "tab": "home"}
    await slack.send_socket_event("events_api", events_api(event))
    view = await slack.wait_for(lambda: slack.home_views.get("U9"), timeout=5)
    assert validate_view(view.view) == []

    url = slack.new_response_url(channel="C1", user_id="U1")
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "api_app_id": "A0FAKE",
        "channel": {"id": "C1"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": url,
        "trigger_id": slack.new_trigger_id("U1"),
        "actions": [
            {"action_id": "capacity_share", "value": "tiers", "type": "button", "block_id": "b1"}
        ],
    }
    await slack.send_socket_event("interactive", payload)
    messages = await slack.wait_for(lambda: slack.messages_in("C1"), timeout=5)
    assert "Growth tiers" in (messages[0].text or "")


async def test_socket_error_becomes_an_apology_in_the_ack(
    slack: FakeSlack, make_bot: BotFactory
) -> None:
    await make_bot(socket=True, router=boom_router())
    await slack.wait_socket_connected(timeout=5)
    ack = await slack.send_socket_event("slash_commands", command_payload(slack, "boom"))
    shown = json.dumps(ack.get("payload"))
    assert "Reference" in shown and "kaboom" not in shown and "Traceback" not in shown


async def test_disconnect_then_reconnect_keeps_answering(
    slack: FakeSlack, make_bot: BotFactory
) -> None:
    await make_bot(socket=True)
    await slack.wait_socket_connected(timeout=5)
    await slack.socket_disconnect(close=True)
    await slack.wait_socket_connected(count=2, timeout=10)
    ack = await slack.send_socket_event("slash_commands", command_payload(slack, "tier 2"))
    assert "+337%" in ack["payload"]["text"]


async def test_change_log_form_over_socket_mode(slack: FakeSlack, make_bot: BotFactory) -> None:
    bot = await make_bot(socket=True)
    await slack.wait_socket_connected(timeout=5)
    trigger = slack.new_trigger_id("U1")
    await slack.send_socket_event(
        "slash_commands", command_payload(slack, "log Added PgBouncer", trigger_id=trigger)
    )
    (view,) = await slack.wait_for(lambda: slack.views_for("U1"), timeout=5)
    assert validate_view(view.view) == []
    assert "Added PgBouncer" in json.dumps(view.view)

    values = {
        "date": {"value": {"type": "datepicker", "selected_date": "2026-11-20"}},
        "change": {"value": {"type": "plain_text_input", "value": "Added PgBouncer"}},
        "reason": {"value": {"type": "plain_text_input", "value": "Connection limit"}},
        "impact": {"value": {"type": "plain_text_input", "value": None}},
        "cost_change": {"value": {"type": "plain_text_input", "value": "12"}},
        "tier": {"value": {"type": "static_select", "selected_option": None}},
    }
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A0FAKE",
        "view": {
            **view.view,
            "id": view.id,
            "hash": "1.x",
            "state": {"values": values},
        },
    }
    ack = await slack.send_socket_event("interactive", submission)
    assert "errors" not in json.dumps(ack)
    # Besides the plan's own change log, stored at start.
    (entry,) = [c for c in bot.deps.store.changes.latest() if c.recorded_by != "plan"]
    assert (entry.change, str(entry.cost_change)) == ("Added PgBouncer", "12")
    confirmations = await slack.wait_for(lambda: slack.messages_in("C1"), timeout=5)
    assert "Added PgBouncer" in confirmations[0].text
