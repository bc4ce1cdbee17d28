"""What a signed request may make the served bot do: log, post, run, store."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import date
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web

from bot.core.logsafe import SafeLogFilter, escape_controls
from bot.domain.changes import validate_change_fields
from bot.planio.planfile import default_plan
from bot.render.blocks import SHARE_ACTION_ID
from bot.slack.guard import response_url_allowed
from tests.fakeslack import interactivity_body, slash_command_body
from tests.slack.conftest import BotFactory, boom_router, post_signed
from tests.slack.harness import GOOD, block_action, rig, view_submission
from tests.support.local_server import serve_local

FORM = "application/x-www-form-urlencoded"


FORGED = "x\n2026-01-01 00:00:00,000 ERROR capacity_bot forged\r\x1b[31m"


async def test_no_request_can_forge_a_log_line(
    make_bot: BotFactory, http: aiohttp.ClientSession, log_lines: io.StringIO
) -> None:
    bot = await make_bot(router=boom_router())
    body = slash_command_body(f"boom {FORGED}")  # fails inside: logged with its text
    assert (await post_signed(http, bot, body))[0] == 200
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    async with http.post(url, data=body, headers={"Content-Type": FORM}) as resp:
        assert resp.status == 401  # unsigned: its body is never logged
    text = log_lines.getvalue()
    assert "listener failed" in text and "forged" in text  # there, but escaped
    assert not [line for line in text.splitlines() if line.startswith("2026-01-01")]
    assert "\x1b" not in text and "\r" not in text


def test_response_urls_and_tokens_never_reach_the_log() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(SafeLogFilter())
    logger = logging.getLogger("test.redact")
    logger.propagate = False
    logger.addHandler(handler)
    logger.warning(
        "respond to %s with %s",
        "https://hooks.slack.com/commands/T1/123/abcDEF",
        "xoxb-1234-5678-secret",
    )
    bolt = logging.getLogger("capacity_bot.bolt")
    bolt.propagate = False
    bolt.addHandler(handler)
    bolt.warning("Unhandled request ({'text': 'secret words', 'response_url': 'x'})")
    text = out.getvalue()
    assert "hooks.slack.com" not in text and "xoxb-1234" not in text
    assert "[response_url]" in text and "[token]" in text
    assert "secret words" not in text and "Unhandled request (details withheld)" in text
    bolt.removeHandler(handler)
    bolt.propagate = True


def test_control_characters_are_escaped() -> None:
    assert escape_controls("a\nb\u202ec\x00") == "a\\x0ab\\x202ec\\x00"


@pytest.mark.parametrize(
    ("url", "api", "ok"),
    [
        ("https://hooks.slack.com/commands/T1/1/x", "https://slack.com/api/", True),
        ("http://hooks.slack.com/commands/T1/1/x", "https://slack.com/api/", False),
        ("https://hooks.slack.com:8443/x", "https://slack.com/api/", False),
        ("https://evil.example/hooks.slack.com", "https://slack.com/api/", False),
        ("https://hooks.slack.com.evil.example/x", "https://slack.com/api/", False),
        ("https://user@hooks.slack.com/x", "https://slack.com/api/", False),
        ("http://127.0.0.1:9/response/x", "https://slack.com/api/", False),
        ("https://hooks.slack-gov.com/x", "https://slack-gov.com/api/", True),
        ("https://hooks.slack.com/x", "https://slack-gov.com/api/", False),
        ("http://127.0.0.1:4000/response/x", "http://127.0.0.1:4000/api/", True),
        ("http://127.0.0.1:4001/response/x", "http://127.0.0.1:4000/api/", False),
        ("https://127.0.0.1:4000/response/x", "http://127.0.0.1:4000/api/", False),
        ("http://[::1", "http://127.0.0.1:4000/api/", False),
    ],
)
def test_response_url_allow_list(url: str, api: str, ok: bool) -> None:
    assert response_url_allowed(url, api) is ok


async def test_share_and_more_never_post_to_a_foreign_response_url(
    log_lines: io.StringIO,
) -> None:
    hits: list[str] = []

    async def catch(request: web.Request) -> web.Response:
        hits.append(await request.text())
        return web.Response(text="ok")

    catcher = web.Application()
    catcher.router.add_post("/{tail:.*}", catch)
    runner, port = await serve_local(catcher)
    try:
        async with rig() as r:
            url = f"http://127.0.0.1:{port}/steal"
            for action, value in ((SHARE_ACTION_ID, "tier 2"), ("changes_more", "changes")):
                status, _ = await r.post_json(block_action(action, value, response_url=url))
                assert status == 400
            body = slash_command_body("boom", response_url=url)
            assert (await r.post_json(body))[0] == 400
            await asyncio.sleep(0.2)
    finally:
        await runner.cleanup()
    assert hits == []
    refused = [line for line in log_lines.getvalue().splitlines() if "not Slack's" in line]
    assert len(refused) == 3


async def test_share_never_runs_a_command_that_writes() -> None:
    async with rig() as r:
        url = r.fake.new_response_url(channel="C1", user_id="U1")
        status, _ = await r.post_json(
            block_action(SHARE_ACTION_ID, "metric mau 123456", response_url=url)
        )
        assert status == 200
        [post] = await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        assert "cannot be shared" in post.text
        assert r.deps.store.metrics.count() == 0


async def test_more_only_pages_the_log_whatever_its_value_says() -> None:
    async with rig() as r:
        assert (await r.post_json(view_submission(GOOD)))[0] == 200
        url = r.fake.new_response_url(channel="C1", user_id="U1")
        await r.post_json(block_action("changes_more", "changes delete 1", response_url=url))
        await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        assert r.deps.store.changes.count() == 1


TAMPERED_META = [
    '{"c":"C1","k":"k1","e":true}',
    '{"c":"C1\\nINFO forged","k":"k1"}',
    '{"c":["C1"],"k":"k1"}',
    '{"c":"C1","k":{"a":1}}',
    '{"c":"C1","k":"k1","e":"1"}',
    '{"c":"C1","k":"k1","x":1}',
    "[1]",
    "not json",
]


@pytest.mark.parametrize("meta", TAMPERED_META)
async def test_tampered_private_metadata_is_refused_and_nothing_is_stored(meta: str) -> None:
    async with rig() as r:
        assert (await r.post_json(view_submission(GOOD)))[0] == 200
        before = r.deps.store.changes.get(1)
        edit = {**GOOD, "change": "Changed by a forged form"}
        status, body = await r.post_json(view_submission(edit, view_id="V9", private_metadata=meta))
        assert status == 200
        assert body["response_action"] == "errors"
        assert "changed outside Slack" in body["errors"]["change"]
        assert r.deps.store.changes.count() == 1
        assert r.deps.store.changes.get(1) == before


def _raw_submission(values: dict[str, object], user: object = "U1") -> bytes:
    payload = json.loads(parse_qs(view_submission({}).decode())["payload"][0])
    payload["view"]["state"]["values"] = values
    payload["user"] = {"id": user} if user is not None else None
    return interactivity_body(payload)


@pytest.mark.parametrize(
    ("values", "user"),
    [
        ({"change": {"value": {"type": "plain_text_input", "value": ["a", "b"]}}}, "U1"),
        ({"change": {"value": {"type": "plain_text_input", "value": {"x": 1}}}}, "U1"),
        ({"change": {"value": {"type": "plain_text_input", "value": 12}}}, "U1"),
        ({"date": {"value": {"type": "datepicker", "selected_date": 20261120}}}, "U1"),
        ({"date": {"value": {"type": "datepicker", "selected_date": "2026-W47-5"}}}, "U1"),
        ({"tier": {"value": {"type": "static_select", "selected_option": {"value": 2}}}}, "U1"),
        ({"change": {"value": {"type": "rich_text_input", "value": "x"}}}, "U1"),
        ({}, None),
        ({}, "U1\nINFO forged"),
    ],
)
async def test_tampered_form_values_and_users_are_refused(values: dict, user: object) -> None:
    async with rig() as r:
        base = {
            name: {"value": {"type": "plain_text_input", "value": GOOD[name]}}
            for name in ("change", "reason")
        }
        status, body = await r.post_json(_raw_submission({**base, **values}, user))
        if user is None:  # no user at all: not a Slack payload, refused at the intake
            assert status == 400 and "user.id" in body["error"]
        else:
            assert status == 200
            assert body["response_action"] == "errors"
        assert r.deps.store.changes.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("date", "0001-01-01", "before 2000"),
        ("change", "\u200b\u200d\u202e\u2066", "Say what changed"),
        ("reason", "\u200b \u00ad", "Say why"),
    ],
)
async def test_invisible_or_odd_field_values_are_field_errors(
    field: str, value: str, words: str
) -> None:
    async with rig() as r:
        status, body = await r.post_json(view_submission({**GOOD, field: value}))
        assert status == 200 and body["response_action"] == "errors"
        assert words in body["errors"][field]
        assert r.deps.store.changes.count() == 0


@pytest.mark.parametrize("day", ["20261120", "2026-W47-5", "2026-324", "0001-01-01", "1999-12-31"])
def test_only_iso_days_from_2000_are_dates_in_every_front_end(day: str) -> None:
    draft, errors = validate_change_fields(
        {**GOOD, "date": day}, default_plan(), date(2026, 11, 27)
    )
    assert draft is None and "date" in errors


@pytest.mark.parametrize("listed", [5, "https://hooks.slack.com/x", [{"response_url": 7}], [None]])
async def test_odd_response_url_lists_are_refused_not_crashed_on(listed: object) -> None:
    async with rig() as r:
        payload = json.loads(parse_qs(view_submission(GOOD).decode())["payload"][0])
        payload["response_urls"] = listed
        status, _ = await r.post_json(interactivity_body(payload))
        assert status == 400
        assert r.deps.store.changes.count() == 0
