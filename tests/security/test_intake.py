"""Forged, garbage, replayed and retried requests against the served `POST /slack/events`."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time

import aiohttp
import pytest

from bot.slack.intake import Intake
from bot.slack.memo import LogBudget
from tests.fakeslack import FakeSlack, event_body, sign, slash_command_body
from tests.slack.conftest import SECRET, BotFactory, post_signed

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# What the probe sent unsigned: each gave a 500 with a traceback before.
GARBAGE: list[tuple[str, bytes]] = [
    (JSON, b"{not json"),
    (FORM, b"payload=%7Bnot-json"),
    (JSON, b"[1, 2, 3]"),
    (FORM, b"payload=%5B1%5D"),
    (JSON, b"\xff\xfe\x00bad utf-8"),
    (JSON, b"[" * 100_000 + b"]" * 100_000),
    (JSON, b'{"a": ' + b"9" * 5000 + b"}"),
    (FORM, b"command=/capacity&text=" + b"x" * 500_000),
]


async def send(
    http: aiohttp.ClientSession, port: int, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/slack/events"
    async with http.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def intake_lines(log: io.StringIO) -> list[str]:
    return [line for line in log.getvalue().splitlines() if "capacity_bot.intake" in line]


@pytest.mark.parametrize(("content_type", "body"), GARBAGE, ids=range(len(GARBAGE)))
async def test_unsigned_garbage_is_401_with_one_short_warning_and_no_body_logged(
    content_type: str,
    body: bytes,
    make_bot: BotFactory,
    http: aiohttp.ClientSession,
    log_lines: io.StringIO,
) -> None:
    bot = await make_bot()
    headers = {"Content-Type": content_type}
    for extra in (
        {},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
        sign("wrong-secret", body),
    ):
        status, answer = await send(http, bot.port, body, {**headers, **extra})
        assert status == 401, answer
        assert json.loads(answer) == {"ok": False, "error": "invalid request"}
    lines = log_lines.getvalue().splitlines()
    assert len(intake_lines(log_lines)) == 4
    assert all(len(line.split(" ", 3)[3]) <= 200 for line in intake_lines(log_lines))
    assert not [line for line in lines if "ERROR" in line or "Traceback" in line]
    assert "not json" not in log_lines.getvalue() and "xxxxxxxx" not in log_lines.getvalue()


@pytest.mark.parametrize(
    "stamp", ["abc", "", "-1", "1e9", "１２３４５６７８９０", str(int(time.time()) - 301)]
)
async def test_bad_timestamps_are_401_not_a_200_apology(
    stamp: str, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    body = slash_command_body("tier 2")
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": stamp}
    headers["X-Slack-Signature"] = sign(SECRET, body)["X-Slack-Signature"]
    status, _ = await send(http, bot.port, body, headers)
    assert status == 401


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        (JSON, b"{not json", "not valid JSON"),
        (JSON, b"[1, 2]", "JSON list"),
        (JSON, b"\xff\xfe", "not UTF-8"),
        (JSON, b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        (JSON, b'{"type": 1}', "no payload type"),
        (JSON, b'{"type": "event_callback", "event": []}', "`event` is not an object"),
        (FORM, b"payload=%5B%5D", "JSON list"),
        (FORM, b"text=hello", "neither `command` nor `payload`"),
        (FORM, b"", "empty body"),
        ("text/plain", b"command=/capacity", "unexpected Content-Type"),
        (JSON, b'{"type": "block_actions", "user": [1]}', "neither an id nor an object"),
    ],
)
async def test_a_signed_body_that_is_not_a_slack_payload_is_400_with_a_reason(
    content_type: str,
    body: bytes,
    reason: str,
    make_bot: BotFactory,
    http: aiohttp.ClientSession,
) -> None:
    bot = await make_bot()
    status, answer = await post_signed(http, bot, body, content_type=content_type)
    assert status == 400
    assert reason in answer["error"]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("log increased payload size", {}),
        ("tier 2", {"channel_name": "payload-team"}),
        ("tier 2", {"user_name": "payload"}),
        ("{tier 2}", {}),
        ("payload=", {}),
        ("tier 2", {"channel_name": "{json"}),
    ],
)
async def test_texts_and_names_bolt_misread_now_reach_the_listener(
    text: str, fields: dict[str, str], make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    """Bolt's parse_body took any body containing `payload` for an interactivity post
    (then `{}` -> 404 "unhandled request")."""
    bot = await make_bot()
    status, answer = await post_signed(http, bot, slash_command_body(text, **fields))
    assert status == 200
    assert answer["response_type"] == "ephemeral" and answer["blocks"]


async def test_a_byte_identical_replay_is_401_and_changes_nothing(
    make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    body = slash_command_body("metric mau 850")
    stamp = int(time.time())
    assert (await post_signed(http, bot, body, timestamp=stamp))[0] == 200
    assert bot.deps.store.metrics.count() == 1
    status, _ = await post_signed(http, bot, body, timestamp=stamp)
    assert status == 401
    assert bot.deps.store.metrics.count() == 1


async def test_event_retries_get_200_and_run_once(
    slack: FakeSlack, make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    body = event_body({"type": "app_home_opened", "user": "U1", "tab": "home"})
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    headers = {"Content-Type": JSON, **sign(SECRET, body)}
    for retry in (None, "1", "2"):
        extra = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "timeout"} if retry else {}
        async with http.post(url, data=body, headers={**headers, **extra}) as resp:
            assert resp.status == 200
    # A retry signed anew (a new timestamp) is the same event: still handled once.
    anew = {
        "Content-Type": JSON,
        "X-Slack-Retry-Num": "3",
        **sign(SECRET, body, int(time.time()) - 5),
    }
    async with http.post(url, data=body, headers=anew) as resp:
        assert resp.status == 200
    await slack.wait_for(lambda: slack.calls_to("views.publish"), timeout=5)
    await asyncio.sleep(0.2)  # a second publish would have come by now
    assert len(slack.calls_to("views.publish")) == 1


async def test_url_verification_is_answered_after_the_signature(
    make_bot: BotFactory, http: aiohttp.ClientSession
) -> None:
    bot = await make_bot()
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    status, answer = await post_signed(http, bot, body, content_type=JSON)
    assert status == 200 and answer == {"challenge": "abc123"}
    status, _ = await send(http, bot.port, body, {"Content-Type": JSON})
    assert status == 401


def test_the_replay_memory_is_bounded() -> None:
    now = [1000.0]
    intake = Intake(object(), "s", clock=lambda: now[0], replay_capacity=100)  # type: ignore[arg-type]
    for i in range(1000):
        intake.replays.seen_or_add(("1000", f"v0={i}"))
    assert len(intake.replays) <= 100
    now[0] += 400  # older than the 5-minute window: a replay is refused by its timestamp
    intake.replays.seen_or_add(("1400", "v0=x"))
    assert len(intake.replays) == 1


def test_a_flood_of_rejections_logs_ten_lines_a_minute_then_the_count() -> None:
    out = io.StringIO()
    logger = logging.getLogger("test.budget")
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(out))
    now = [0.0]
    budget = LogBudget(logger, lambda: now[0])
    logged = [budget.warning(f"rejected {i}") for i in range(100)]
    assert logged.count(True) == 10
    now[0] = 61
    budget.warning("next minute")
    lines = out.getvalue().splitlines()
    assert len(lines) == 12
    assert lines[10] == "90 more rejected request(s) in the last 61 s were not logged"


async def test_a_body_over_a_mebibyte_is_413_without_being_logged(
    make_bot: BotFactory, http: aiohttp.ClientSession, log_lines: io.StringIO
) -> None:
    bot = await make_bot()
    body = b"command=/capacity&text=" + b"y" * (1024 * 1024 + 10)
    status, _ = await send(http, bot.port, body, {"Content-Type": FORM, **sign(SECRET, body)})
    assert status == 413
    assert "yyyy" not in log_lines.getvalue()
    assert len(intake_lines(log_lines)) == 1
