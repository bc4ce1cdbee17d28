"""Fuzz through the served HTTP path: a real server on 127.0.0.1 with the bot's intake, Bolt
and listeners, against the fake Slack. Every signed Slack request gets a 200 and an answer;
unsigned bodies get 401; signed bodies that are not Slack payloads get 400; nothing 500s.

The server runs on an event loop in a thread of its own, so hypothesis drives plain
functions (one HTTP request per example). Budgets are explicit (about a minute in all).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.serve import BotServer
from bot.core.config import Settings
from bot.deps import build_deps
from bot.slack.intake import DecodeError, decode_body
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, aim_at, interactivity_body, sign, slash_command_body
from tests.slack.conftest import SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class Served:
    """The bot and the fake Slack on a loop in a background thread."""

    def __init__(self) -> None:
        self.used: set[tuple[bytes, int]] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(self._start())

    def run(self, work: Coroutine[Any, Any, Any], timeout: float = 20) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    async def _start(self) -> None:
        self.slack = FakeSlack()
        await self.slack.start()
        settings = Settings(
            bot_token=self.slack.bot_token,
            signing_secret=SECRET,
            api_url=self.slack.api_url,
            alerts_channel="C0ALERTS",
        )
        deps = build_deps(settings, store=Store(":memory:"))
        deps.clock = lambda: NOW
        self.bot = BotServer(deps, host="127.0.0.1", port=0)
        await self.bot.start()
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self.url = f"http://127.0.0.1:{self.bot.port}/slack/events"

    async def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.http.post(self.url, data=body, headers=headers) as resp:
            return resp.status, await resp.text()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        result: tuple[int, str] = self.run(self._post(body, headers))
        return result

    def signed(self, body: bytes, content_type: str = FORM) -> tuple[int, str]:
        """Signed as Slack would, never twice the same (hypothesis repeats examples, and a
        byte-identical request is a replay)."""
        body = aim_at(body, self.slack.api_url)
        stamp = int(time.time())
        while (body, stamp) in self.used:
            stamp -= 1
        self.used.add((body, stamp))
        return self.post(body, {"Content-Type": content_type, **sign(SECRET, body, stamp)})

    async def _stop(self) -> None:
        await self.http.close()
        await self.bot.stop()
        self.bot.deps.close()
        await self.slack.stop()

    def close(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    yield server
    server.close()


MARKUP = st.sampled_from(
    [
        "<@U012AB3CD>",
        "<#C012AB3CD|general>",
        "<!here>",
        "<https://example.com|link>",
        "&amp;&lt;&gt;",
        "*bold* _it_ ~s~ `code`",
        "%0A",
        "%26text%3D",
        "&payload=%7B%7D",
        "payload",
        "{",
        "}",
        "=",
        "&",
        "+",
        "tier 2",
        "log ",
        "changes ",
        "\u200b\u202e",
    ]
)
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=8).map("".join),
    st.integers(0, 4200).map(lambda n: "x" * n),
    st.just(""),
)
NAME = st.one_of(st.text(max_size=30), MARKUP, st.just("payload-team"), st.just("{json}"))


@settings(SETTINGS, max_examples=2000)
@given(text=TEXT, channel=NAME, user=NAME)
def test_every_signed_slash_command_gets_200_and_an_answer(
    served: Served, text: str, channel: str, user: str
) -> None:
    body = slash_command_body(text, channel_name=channel, user_name=user)
    status, answer = served.signed(body)
    assert status == 200, (status, answer[:300])
    message = json.loads(answer)
    assert message["text"] and message["blocks"]


@settings(SETTINGS, max_examples=300)
@given(value=TEXT, user=NAME)
def test_every_signed_button_click_gets_200(served: Served, value: str, user: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "fake"},
        "user": {"id": "U1", "username": user, "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "trigger_id": "2.3.def",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1"},
        "channel": {"id": "C1", "name": user},
        "message": {"type": "message", "ts": "1.0", "text": value},
        "response_url": "http://127.0.0.1:9/response/unused",
        "actions": [
            {"action_id": "capacity_share", "block_id": "b", "type": "button", "value": value}
        ],
    }
    status, answer = served.signed(interactivity_body(payload))
    assert status == 200, (status, answer[:300])


GARBAGE = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
)
# What a header can carry: printable ASCII, numbers near and far from now.
STAMP = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=14),
    st.integers(-(10**12), 10**13).map(str),
    st.integers(-400, 400).map(lambda d: str(int(time.time()) + d)),
)
CONTENT_TYPE = st.sampled_from([FORM, JSON, "text/plain", "", "application/json; charset=utf-8"])


@settings(SETTINGS, max_examples=400)
@given(body=GARBAGE, content_type=CONTENT_TYPE, stamp=st.one_of(STAMP, st.none()))
def test_unsigned_or_badly_signed_bodies_get_401(
    served: Served, body: bytes, content_type: str, stamp: str | None
) -> None:
    headers = {"Content-Type": content_type}
    if stamp is not None:
        headers["X-Slack-Request-Timestamp"] = stamp
        headers["X-Slack-Signature"] = sign("not-the-secret", body)["X-Slack-Signature"]
    status, _ = served.post(body, headers)
    assert status == 401


@settings(SETTINGS, max_examples=400)
@given(body=GARBAGE, content_type=CONTENT_TYPE)
def test_signed_garbage_is_400_never_500(served: Served, body: bytes, content_type: str) -> None:
    status, answer = served.signed(body, content_type)
    try:
        decode_body(body, content_type)
    except DecodeError:
        assert status == 400, answer[:300]
        assert json.loads(answer)["error"]
        return
    assert status < 500, answer[:300]  # decodes as a Slack payload: Bolt's own answer


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
TEMPLATES: list[dict[str, Any]] = [
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "change_log_modal",
            "private_metadata": '{"c":"C1","k":"k1"}',
            "state": {
                "values": {
                    "change": {"value": {"type": "plain_text_input", "value": "x"}},
                    "reason": {"value": {"type": "plain_text_input", "value": "y"}},
                }
            },
        },
    },
    {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1"},
        "message": {"ts": "1.0"},
        "actions": [{"action_id": "change_edit", "type": "button", "value": "1"}],
    },
    {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A0FAKE",
        "event_id": "Ev1",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    },
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@st.composite
def mutated_payload(draw: st.DrawFn) -> dict[str, Any]:
    """A payload Slack sends with one part replaced by any JSON value, or taken out."""
    payload = json.loads(json.dumps(draw(st.sampled_from(TEMPLATES))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(payload)[1:]))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(JSON_VALUE)
        payload["event_id"] = draw(st.text(max_size=8))  # each a new event, not a retry
    result: dict[str, Any] = payload
    return result


@settings(SETTINGS, max_examples=500)
@given(payload=mutated_payload(), as_json=st.booleans())
def test_signed_payloads_of_any_shape_never_get_a_500(
    served: Served, payload: dict[str, Any], as_json: bool
) -> None:
    if as_json:
        status, answer = served.signed(json.dumps(payload).encode(), JSON)
    else:
        status, answer = served.signed(interactivity_body(payload))
    assert status < 500, answer[:300]


def test_the_fuzz_left_the_bot_healthy(served: Served) -> None:
    started = time.monotonic()
    status, answer = served.signed(slash_command_body("tier 2"))
    assert status == 200 and "+337%" in answer
    assert time.monotonic() - started < 5
    assert not served.slack.messages_missing_text
