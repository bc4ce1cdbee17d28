"""Tests of the fake Slack itself, driven by the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakeslack import (
    FakeSlack,
    interactivity_body,
    sign,
    slash_command_body,
    slash_command_payload,
    validate_blocks,
    validate_view,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def table(rows: int = 2, cells: int = 2, **extra: Any) -> dict[str, Any]:
    return {
        "type": "table",
        "rows": [
            [{"type": "raw_text", "text": f"{r}.{c}"} for c in range(cells)] for r in range(rows)
        ],
        **extra,
    }


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Capacity"},
        "blocks": blocks,
        **extra,
    }


@pytest.fixture
async def client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    c = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, timeout=5)
    yield c
    if c.session is not None:
        await c.session.close()


# -- Web API ----------------------------------------------------------------------------------


async def test_listens_on_loopback_free_port(slack: FakeSlack) -> None:
    assert slack.port > 0
    assert slack.api_url == f"http://127.0.0.1:{slack.port}/api/"
    assert slack.base_url == f"http://127.0.0.1:{slack.port}/"


async def test_auth_test(client: AsyncWebClient) -> None:
    resp = await client.auth_test()
    assert resp["ok"] is True
    assert resp["user_id"] and resp["bot_id"] and resp["team_id"]


async def test_post_message_is_stored(slack: FakeSlack, client: AsyncWebClient) -> None:
    blocks = [section("*hello*")]
    resp = await client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    assert resp["ok"] and resp["channel"] == "C1"
    [msg] = slack.messages_in("C1")
    assert msg.ts == resp["ts"]
    assert msg.text == "hello"
    assert msg.blocks == blocks
    assert not msg.missing_text
    [call] = slack.calls_to("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.params["blocks"] == blocks
    assert call.ok


async def test_ts_is_slack_format_unique_and_increasing(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    tss = [(await client.chat_postMessage(channel="C1", text=str(i)))["ts"] for i in range(5)]
    for ts in tss:
        secs, micros = ts.split(".")
        assert len(secs) == 10 and len(micros) == 6
    assert tss == sorted(tss, key=float)
    assert len(set(tss)) == 5


async def test_thread_reply(slack: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C1", text="parent")
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    thread = slack.messages_in("C1", thread_ts=parent["ts"])
    assert [m.text for m in thread] == ["parent", "reply"]
    assert thread[0].reply_count == 1


async def test_form_encoded_body_with_json_strings(slack: FakeSlack) -> None:
    blocks = [section("from a form")]
    async with aiohttp.ClientSession() as http:
        resp = await http.post(
            slack.api_url + "chat.postMessage",
            data={
                "token": slack.bot_token,
                "channel": "C9",
                "text": "t",
                "blocks": json.dumps(blocks),
            },
        )
        body = await resp.json()
    assert resp.status == 200 and body["ok"] is True
    assert slack.messages_in("C9")[0].blocks == blocks


async def test_missing_token_is_not_authed(slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as http:
        resp = await http.post(slack.api_url + "chat.postMessage", json={"channel": "C1"})
        body = await resp.json()
    assert resp.status == 200
    assert body == {"ok": False, "error": "not_authed"}


async def test_wrong_token_is_invalid_auth(slack: FakeSlack) -> None:
    bad = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url, timeout=5)
    with pytest.raises(SlackApiError) as info:
        await bad.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == "invalid_auth"
    assert slack.messages_in("C1") == []


async def test_app_token_rules(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.apps_connections_open(app_token=slack.bot_token)
    assert info.value.response["error"] == "not_allowed_token_type"
    app = AsyncWebClient(token=slack.app_token, base_url=slack.api_url, timeout=5)
    with pytest.raises(SlackApiError) as info:
        await app.chat_postMessage(channel="C1", text="x")
    assert info.value.response["error"] == "not_allowed_token_type"
    resp = await client.apps_connections_open(app_token=slack.app_token)
    assert resp["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket/")


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.api_call("nope.nothing")
    assert info.value.response["error"] == "unknown_method"


async def test_51_blocks_invalid(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 51)
    resp = info.value.response
    assert resp["error"] == "invalid_blocks"
    assert resp["errors"] and "[json-pointer:/blocks]" in resp["errors"][0]
    assert resp["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert slack.messages_in("C1") == []
    assert slack.calls_to("chat.postMessage", ok=False)


async def test_50_blocks_ok(client: AsyncWebClient) -> None:
    resp = await client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 50)
    assert resp["ok"]


async def test_section_text_3001_invalid(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x", blocks=[section("a" * 3001)])
    assert info.value.response["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in info.value.response["errors"][0]


async def test_table_in_modal_rejected(slack: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id=slack.new_trigger_id("U1"), view=modal([table()]))
    # Slack answers view validation failures with invalid_arguments.
    assert info.value.response["error"] == "invalid_arguments"
    assert any("table" in e for e in info.value.response["errors"])
    assert slack.views == {}


async def test_two_tables_in_message_rejected(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x", blocks=[table(), table()])
    assert info.value.response["error"] == "invalid_blocks"


async def test_one_table_in_message_ok(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel="C1", text="x", blocks=[table(rows=100, cells=20)])
    assert slack.messages_in("C1")[0].blocks[0]["type"] == "table"


async def test_post_message_errors(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="", text="x")
    assert info.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1")
    assert info.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert info.value.response["error"] == "msg_too_long"


async def test_known_channels_only_when_configured() -> None:
    async with FakeSlack(channels={"C1": "capacity"}) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, timeout=5)
        await client.chat_postMessage(channel="C1", text="ok")
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C2", text="x")
        assert info.value.response["error"] == "channel_not_found"
        info_resp = await client.conversations_info(channel="C1")
        assert info_resp["channel"]["name"] == "capacity"


async def test_blocks_without_text_warns(slack: FakeSlack, client: AsyncWebClient) -> None:
    resp = await client.chat_postMessage(channel="C1", blocks=[section("only blocks")])
    assert resp["ok"]
    assert slack.messages_in("C1")[0].missing_text
    assert slack.messages_missing_text == slack.messages_in("C1")
    assert slack.calls_to("chat.postMessage")[0].warnings == ["missing_text_fallback"]


async def test_update_keeps_history_and_delete(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[section("v1")])
    await client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=[section("v2")])
    [msg] = slack.messages_in("C1")
    assert msg.text == "v2" and msg.blocks == [section("v2")]
    assert [e["text"] for e in msg.edits] == ["v1"]
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel="C1", ts="1.000001", text="x")
    assert info.value.response["error"] == "message_not_found"
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel="C1", ts=posted["ts"], text="x", blocks=[section("")])
    assert info.value.response["error"] == "invalid_blocks"
    await client.chat_delete(channel="C1", ts=posted["ts"])
    assert slack.messages_in("C1") == []
    assert slack.deleted_messages == [msg]


async def test_post_ephemeral(slack: FakeSlack, client: AsyncWebClient) -> None:
    resp = await client.chat_postEphemeral(channel="C1", user="U7", text="psst")
    assert resp["message_ts"]
    [eph] = slack.ephemerals_in("C1", user="U7")
    assert eph.text == "psst"
    assert slack.messages_in("C1") == []


async def test_views_open_update_publish(slack: FakeSlack, client: AsyncWebClient) -> None:
    field = {
        "type": "input",
        "block_id": "tier",
        "label": {"type": "plain_text", "text": "Tier"},
        "element": {"type": "plain_text_input", "action_id": "tier"},
    }
    view = modal([field], submit={"type": "plain_text", "text": "Save"}, callback_id="edit")
    opened = await client.views_open(trigger_id=slack.new_trigger_id("U5"), view=view)
    [v] = slack.views_for("U5")
    assert v.id == opened["view"]["id"] and v.view["callback_id"] == "edit"
    await client.views_update(view_id=v.id, view=modal([section("done")]))
    assert v.view["blocks"] == [section("done")] and len(v.history) == 1
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id="VNOPE", view=modal([section("x")]))
    assert info.value.response["error"] == "not_found"
    home = {"type": "home", "blocks": [section("home")]}
    await client.views_publish(user_id="U5", view=home)
    assert slack.home_views["U5"].view["blocks"] == [section("home")]


async def test_modal_limits(slack: FakeSlack, client: AsyncWebClient) -> None:
    long_title = modal([section("x")])
    long_title["title"]["text"] = "t" * 25
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id="1.2.3", view=long_title)
    assert "/view/title/text" in info.value.response["errors"][0]
    with pytest.raises(SlackApiError):
        await client.views_publish(user_id="U1", view=modal([section("wrong type")]))


async def test_fail_next_error(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == "channel_not_found"
    assert slack.messages_in("C1") == []
    await client.chat_postMessage(channel="C1", text="x")
    first, second = slack.calls_to("chat.postMessage")
    assert first.faulted and not first.ok and second.ok


async def test_fail_next_500_twice(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("chat.postMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C1", text="x")
        assert info.value.response.status_code == 500
    await client.chat_postMessage(channel="C1", text="x")
    assert len(slack.messages_in("C1")) == 1


async def test_429_without_retry_handler(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"


async def test_429_retried_by_sdk_handler(slack: FakeSlack) -> None:
    client = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        timeout=5,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    resp = await asyncio.wait_for(client.chat_postMessage(channel="C1", text="x"), 5)
    assert resp["ok"]
    calls = slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 0.9
    assert len(slack.messages_in("C1")) == 1


async def test_files_upload_v2(slack: FakeSlack, client: AsyncWebClient) -> None:
    data = bytes(range(256)) * 40
    resp = await client.files_upload_v2(
        channel="C1",
        file=data,
        filename="chart.png",
        title="Capacity chart",
        initial_comment="weekly digest",
    )
    assert resp["ok"]
    [f] = slack.files.values()
    assert f.data == data and f.name == "chart.png" and f.title == "Capacity chart"
    assert f.channel == "C1" and f.initial_comment == "weekly digest" and f.completed
    [msg] = slack.messages_in("C1")
    assert msg.text == "weekly digest" and msg.files[0]["id"] == f.id


async def test_complete_upload_without_bytes_fails(client: AsyncWebClient) -> None:
    got = await client.files_getUploadURLExternal(filename="a.txt", length=3)
    with pytest.raises(SlackApiError) as info:
        await client.files_completeUploadExternal(files=[{"id": got["file_id"]}], channel_id="C1")
    assert info.value.response["error"] == "file_not_found"


async def test_conversations_info_minimal(client: AsyncWebClient) -> None:
    resp = await client.conversations_info(channel="C123")
    assert resp["channel"]["id"] == "C123" and resp["channel"]["is_member"]


async def test_wait_for_is_bounded(slack: FakeSlack, client: AsyncWebClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C1", text="late")

    task = asyncio.create_task(later())
    msgs = await slack.wait_for(lambda: slack.messages_in("C1"), timeout=2)
    assert msgs[0].text == "late"
    await task
    with pytest.raises(TimeoutError):
        await slack.wait_for(lambda: slack.messages_in("C404"), timeout=0.2)


# -- response_url -------------------------------------------------------------------------------


async def test_response_url(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="original")
    url = slack.new_response_url(channel="C1", message_ts=posted["ts"], user_id="U1")
    assert url.startswith(f"http://127.0.0.1:{slack.port}/response/")
    hook = AsyncWebhookClient(url, timeout=5)

    r = await hook.send(text="just for you")
    assert (r.status_code, r.body) == (200, "ok")
    assert slack.ephemerals_in("C1", "U1")[0].text == "just for you"

    r = await hook.send(text="for all", response_type="in_channel")
    assert r.status_code == 200
    assert [m.text for m in slack.messages_in("C1")] == ["original", "for all"]

    r = await hook.send(text="replaced", replace_original=True)
    assert r.status_code == 200
    assert slack.message("C1", posted["ts"]).text == "replaced"  # type: ignore[union-attr]

    r = await hook.send(text="x", blocks=[{"type": "divider"}] * 51)
    assert (r.status_code, r.body) == (400, "invalid_blocks")

    r = await hook.send(delete_original=True)
    assert r.status_code == 200
    assert [m.text for m in slack.messages_in("C1")] == ["for all"]

    posts = slack.responses(url)
    assert [p.status for p in posts] == [200, 200, 200, 400, 200]
    assert posts[1].response_type == "in_channel" and posts[2].replace_original


async def test_response_url_use_limit_and_unknown(slack: FakeSlack) -> None:
    url = slack.new_response_url(channel="C1", user_id="U1")
    hook = AsyncWebhookClient(url, timeout=5)
    statuses = [(await hook.send(text=str(i))).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    unknown = AsyncWebhookClient(slack.base_url + "response/nope", timeout=5)
    assert (await unknown.send(text="x")).status_code == 404


# -- signing ------------------------------------------------------------------------------------


def test_sign_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("tiers", user_id="U2", channel_id="C2", trigger_id="1.2.3")
    headers = sign("s3cret", body, timestamp=1_700_000_000)
    expected = hmac.new(b"s3cret", b"v0:1700000000:" + body, hashlib.sha256).hexdigest()
    assert headers["X-Slack-Signature"] == f"v0={expected}"
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    verifier = SignatureVerifier(
        "s3cret", clock=type("C", (), {"now": lambda self: 1_700_000_010})()
    )
    assert verifier.is_valid(body, "1700000000", headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + b"x", "1700000000", headers["X-Slack-Signature"])
    fields = parse_qs(body.decode())
    assert fields["text"] == ["tiers"] and fields["user_id"] == ["U2"]
    assert fields["trigger_id"] == ["1.2.3"] and fields["command"] == ["/capacity"]


def test_interactivity_body() -> None:
    payload = {"type": "block_actions", "actions": [{"action_id": "a"}]}
    body = interactivity_body(payload)
    assert json.loads(parse_qs(body.decode())["payload"][0]) == payload


# -- Socket Mode --------------------------------------------------------------------------------


@pytest.fixture
async def socket_client(slack: FakeSlack) -> AsyncIterator[SocketModeClient]:
    web_client = AsyncWebClient(base_url=slack.api_url, timeout=5)
    client = SocketModeClient(app_token=slack.app_token, web_client=web_client, ping_interval=1)

    async def on_request(c: SocketModeClient, req: SocketModeRequest) -> None:
        await c.send_socket_mode_response(
            SocketModeResponse(envelope_id=req.envelope_id, payload={"echo": req.type})
        )

    client.socket_mode_request_listeners.append(on_request)  # type: ignore[arg-type]
    await asyncio.wait_for(client.connect(), 5)
    yield client
    await asyncio.wait_for(client.close(), 5)


async def test_socket_mode_envelope_acked(
    slack: FakeSlack, socket_client: SocketModeClient
) -> None:
    await slack.wait_socket_connected(timeout=5)
    assert slack.socket_connections == 1 and slack.socket_connected.is_set()
    ack = await slack.send_socket_event("slash_commands", {"command": "/capacity"}, timeout=5)
    assert ack["payload"] == {"echo": "slash_commands"}
    assert slack.socket_acks == [ack]
    ack = await slack.send_socket_event("events_api", {"event": {"type": "app_mention"}})
    assert ack["payload"] == {"echo": "events_api"}


async def test_socket_mode_hello_shape(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url, timeout=5)
    url = (await client.apps_connections_open(app_token=slack.app_token))["url"]
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        hello = await asyncio.wait_for(ws.receive_json(), 5)
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"]["app_id"]


async def test_socket_mode_disconnect_reconnects(
    slack: FakeSlack, socket_client: SocketModeClient
) -> None:
    await slack.wait_socket_connected(count=1, timeout=5)
    await slack.socket_disconnect(reason="refresh_requested")
    await slack.wait_socket_connected(count=2, timeout=5)
    await slack.wait_for(lambda: slack.socket_open_count == 1, timeout=5)
    assert len(slack.calls_to("apps.connections.open")) == 2
    ack = await slack.send_socket_event("interactive", {"type": "block_actions"}, timeout=5)
    assert ack["payload"] == {"echo": "interactive"}


async def test_socket_event_times_out_without_ack(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url, timeout=5)
    url = (await client.apps_connections_open(app_token=slack.app_token))["url"]
    async with aiohttp.ClientSession() as http, http.ws_connect(url):
        await slack.wait_socket_connected(timeout=5)
        with pytest.raises(TimeoutError):
            await slack.send_socket_event("slash_commands", {}, timeout=0.3)


async def test_socket_event_times_out_without_connection(slack: FakeSlack) -> None:
    with pytest.raises(TimeoutError):
        await slack.send_socket_event("events_api", {}, timeout=0.2)


# -- validate_blocks, table-driven ----------------------------------------------------------------

BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go"}


def _button(**over: Any) -> dict[str, Any]:
    return {**BUTTON, **over}


VALID = [
    ("divider", [{"type": "divider"}], "message"),
    ("section 3000", [section("a" * 3000)], "message"),
    (
        "fields 10x2000",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10}],
        "message",
    ),
    ("header 150", [{"type": "header", "text": {"type": "plain_text", "text": "h" * 150}}], "home"),
    (
        "context 10",
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10}],
        "message",
    ),
    (
        "actions 25",
        [{"type": "actions", "elements": [_button(action_id=f"b{i}") for i in range(25)]}],
        "message",
    ),
    (
        "button limits",
        [{"type": "actions", "elements": [_button(value="v" * 2000, action_id="a" * 255)]}],
        "message",
    ),
    ("block_id 255", [{"type": "divider", "block_id": "b" * 255}], "message"),
    ("100 blocks in modal", [{"type": "divider"}] * 100, "modal"),
    ("table 100x20", [table(100, 20, column_settings=[{"align": "right"}])], "message"),
    (
        "input in modal",
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "l" * 2000},
                "element": {"type": "plain_text_input", "action_id": "x"},
            }
        ],
        "modal",
    ),
    (
        "rich_text cell",
        [{"type": "table", "rows": [[{"type": "rich_text", "elements": []}]]}],
        "message",
    ),
]

INVALID = [
    ("51 blocks", [{"type": "divider"}] * 51, "message", "/blocks]"),
    ("101 blocks in modal", [{"type": "divider"}] * 101, "modal", "/blocks]"),
    ("section 3001", [section("a" * 3001)], "message", "/blocks/0/text/text"),
    ("empty section text", [section("")], "message", "/blocks/0/text/text"),
    ("section without text", [{"type": "section"}], "message", "/blocks/0]"),
    (
        "11 fields",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "message",
        "/blocks/0/fields]",
    ),
    (
        "field 2001",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
        "message",
        "/blocks/0/fields/0/text",
    ),
    (
        "header 151",
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "message",
        "/blocks/0/text/text",
    ),
    (
        "header mrkdwn",
        [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
        "message",
        "/blocks/0/text/type",
    ),
    (
        "context 11",
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "message",
        "/blocks/0/elements]",
    ),
    (
        "actions 26",
        [{"type": "actions", "elements": [_button(action_id=f"b{i}") for i in range(26)]}],
        "message",
        "/blocks/0/elements]",
    ),
    (
        "button text 76",
        [{"type": "actions", "elements": [_button(text={"type": "plain_text", "text": "b" * 76})]}],
        "message",
        "/elements/0/text/text",
    ),
    (
        "button mrkdwn",
        [{"type": "actions", "elements": [_button(text={"type": "mrkdwn", "text": "b"})]}],
        "message",
        "/elements/0/text/type",
    ),
    (
        "button value 2001",
        [{"type": "actions", "elements": [_button(value="v" * 2001)]}],
        "message",
        "/elements/0/value",
    ),
    (
        "action_id 256",
        [{"type": "actions", "elements": [_button(action_id="a" * 256)]}],
        "message",
        "/elements/0/action_id",
    ),
    ("block_id 256", [{"type": "divider", "block_id": "b" * 256}], "message", "/blocks/0/block_id"),
    (
        "duplicate block_id",
        [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}],
        "message",
        "/blocks/1/block_id",
    ),
    (
        "bad text type",
        [{"type": "section", "text": {"type": "html", "text": "x"}}],
        "message",
        "/blocks/0/text/type",
    ),
    (
        "input in message",
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "l"},
                "element": {"type": "plain_text_input", "action_id": "x"},
            }
        ],
        "message",
        "/blocks/0/type",
    ),
    (
        "input label 2001",
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "l" * 2001},
                "element": {"type": "plain_text_input", "action_id": "x"},
            }
        ],
        "modal",
        "/blocks/0/label/text",
    ),
    ("table in modal", [table()], "modal", "/blocks/0/type"),
    ("table in home", [table()], "home", "/blocks/0/type"),
    ("two tables", [table(), table()], "message", "/blocks/1/type"),
    ("table 101 rows", [table(101, 1)], "message", "/blocks/0/rows]"),
    ("table 21 cells", [table(1, 21)], "message", "/blocks/0/rows/0]"),
    (
        "table mrkdwn cell",
        [{"type": "table", "rows": [[{"type": "mrkdwn", "text": "x"}]]}],
        "message",
        "/blocks/0/rows/0/0/type",
    ),
    ("unknown block", [{"type": "carousel"}], "message", "/blocks/0/type"),
    ("not a list", {"type": "divider"}, "message", "/blocks]"),
]


@pytest.mark.parametrize(("name", "blocks", "surface"), VALID, ids=[v[0] for v in VALID])
def test_validate_blocks_accepts(name: str, blocks: Any, surface: str) -> None:
    assert validate_blocks(blocks, surface) == []


@pytest.mark.parametrize(
    ("name", "blocks", "surface", "pointer"), INVALID, ids=[v[0] for v in INVALID]
)
def test_validate_blocks_rejects(name: str, blocks: Any, surface: str, pointer: str) -> None:
    errors = validate_blocks(blocks, surface)
    assert errors, name
    assert any(pointer in e for e in errors), errors


VIEW_CASES = [
    ("ok modal", modal([section("x")]), None),
    (
        "title 25",
        {**modal([section("x")]), "title": {"type": "plain_text", "text": "t" * 25}},
        "/view/title/text",
    ),
    (
        "submit 25",
        modal([section("x")], submit={"type": "plain_text", "text": "s" * 25}),
        "/view/submit/text",
    ),
    (
        "close 25",
        modal([section("x")], close={"type": "plain_text", "text": "c" * 25}),
        "/view/close/text",
    ),
    ("callback_id 256", modal([section("x")], callback_id="c" * 256), "/view/callback_id"),
    (
        "private_metadata 3001",
        modal([section("x")], private_metadata="m" * 3001),
        "/view/private_metadata",
    ),
    ("private_metadata 3000", modal([section("x")], private_metadata="m" * 3000), None),
    ("ok home", {"type": "home", "blocks": [section("x")]}, None),
    ("bad type", {"type": "workflow_step", "blocks": []}, "/view/type"),
]


@pytest.mark.parametrize(("name", "view", "pointer"), VIEW_CASES, ids=[v[0] for v in VIEW_CASES])
def test_validate_view(name: str, view: dict[str, Any], pointer: str | None) -> None:
    errors = validate_view(view)
    if pointer is None:
        assert errors == []
    else:
        assert any(pointer in e for e in errors), errors


def test_validate_blocks_unknown_surface() -> None:
    with pytest.raises(ValueError):
        validate_blocks([], "canvas")


# -- slack_bolt end to end ------------------------------------------------------------------------


async def test_bolt_socket_mode_end_to_end(slack: FakeSlack) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, timeout=5)
    app = AsyncApp(client=client, signing_secret="unused-in-socket-mode")

    @app.command("/capacity")
    async def on_command(ack: AsyncAck, say: AsyncSay, respond: AsyncRespond, body: dict) -> None:
        await ack(text="working on it")
        await say(text=f"you said {body['text']}", blocks=[section("tiers")])
        await respond(text="done")

    handler = AsyncSocketModeHandler(app, slack.app_token, ping_interval=1)
    await asyncio.wait_for(handler.connect_async(), 5)
    try:
        await slack.wait_socket_connected(timeout=5)
        url = slack.new_response_url(channel="C1", user_id="U1")
        payload = slash_command_payload("tiers", response_url=url)
        ack = await slack.send_socket_event("slash_commands", payload, timeout=5)
        assert ack["payload"]["text"] == "working on it"
        msgs = await slack.wait_for(lambda: slack.messages_in("C1"), timeout=5)
        assert msgs[0].text == "you said tiers" and msgs[0].blocks == [section("tiers")]
        posts = await slack.wait_for(lambda: slack.responses(url), timeout=5)
        assert posts[0].text == "done" and posts[0].status == 200
        assert slack.calls_to("auth.test", ok=True)
    finally:
        await asyncio.wait_for(handler.close_async(), 5)


async def test_upload_url_accepts_multipart(slack: FakeSlack, client: AsyncWebClient) -> None:
    got = await client.files_getUploadURLExternal(filename="a.csv", length=5)
    form = aiohttp.FormData()
    form.add_field("file", b"a,b\n1", filename="a.csv")
    async with aiohttp.ClientSession() as http:
        resp = await http.post(got["upload_url"], data=form)
        assert resp.status == 200 and (await resp.text()) == "OK - 5"
    assert slack.files[got["file_id"]].data == b"a,b\n1"


async def test_fail_next_response_url(slack: FakeSlack) -> None:
    url = slack.new_response_url(channel="C1", user_id="U1")
    slack.fail_next("response_url", status=500)
    hook = AsyncWebhookClient(url, timeout=5)
    assert (await hook.send(text="x", response_type="in_channel")).status_code == 500
    assert slack.messages_in("C1") == []
    assert (await hook.send(text="x", response_type="in_channel")).status_code == 200
    assert len(slack.messages_in("C1")) == 1
