"""A 429's Retry-After is read the same by every poster: ASCII delta-seconds or an HTTP-date,
bounded to an hour; `²`, garbage, `nan` or a date form we cannot read fall back to the
worker's own backoff (None) instead of crashing the delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.core.config import Settings
from bot.notify.compose import AlertLine, Payload
from bot.notify.pagerduty import PagerDutyPoster
from bot.notify.poster import DeliveryError, Message
from bot.notify.retry_after import retry_after
from bot.notify.slack import SlackPoster, make_client
from bot.slack.app import build_client, verify_token
from bot.slack.rate_limit import RateLimitRetry
from tests.support.local_server import serve_local

IN_TWO_MINUTES = "in-two-minutes"  # replaced by an HTTP-date two minutes from the request


@asynccontextmanager
async def answering_429(after: str) -> AsyncIterator[tuple[str, list[str]]]:
    """A receiver on 127.0.0.1 that answers every request 429 with `Retry-After: after`."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.path)
        value = after
        if after == IN_TWO_MINUTES:
            value = format_datetime(datetime.now(UTC) + timedelta(minutes=2), usegmt=True)
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": value}
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner, port = await serve_local(app)
    try:
        yield f"http://127.0.0.1:{port}/", seen
    finally:
        await runner.cleanup()


def _message() -> Message:
    line = AlertLine(
        rule_id="threshold.cpu_pct.0",
        fired_at="2026-11-30T02:00:00+00:00",
        title="CPU utilization",
        metric="cpu_pct",
        unit="%",
        value=91.0,
        op=">",
        threshold=85.0,
        held_seconds=600.0,
    )
    payload = Payload(
        kind="firing", channel="C1", alerts=(line,), at=line.fired_at, text="CPU", blocks=[]
    )
    return Message(kind="firing", key="k1", payload=payload)


HEADERS = [("²", None), ("①", None), ("soon, please", None), ("nan", None), ("120", 120.0)]


@pytest.mark.parametrize(("after", "expected"), HEADERS)
async def test_pagerduty_reads_retry_after_without_crashing(
    after: str, expected: float | None
) -> None:
    async with answering_429(after) as (url, seen):
        with pytest.raises(DeliveryError) as caught:
            await PagerDutyPoster("R" * 32, url + "v2/enqueue").send(_message())
    assert seen and caught.value.retryable and caught.value.retry_after == expected


@pytest.mark.parametrize(("after", "expected"), HEADERS)
async def test_slack_poster_reads_retry_after_without_crashing(
    after: str, expected: float | None
) -> None:
    async with answering_429(after) as (url, seen):
        with pytest.raises(DeliveryError) as caught:
            await SlackPoster(make_client("xoxb-1", url + "api/")).send(_message())
    assert seen and caught.value.retryable and caught.value.retry_after == expected


@pytest.mark.parametrize("poster", ["pagerduty", "slack"])
async def test_an_http_date_is_read_as_the_seconds_until_it(poster: str) -> None:
    async with answering_429(IN_TWO_MINUTES) as (url, _):
        with pytest.raises(DeliveryError) as caught:
            if poster == "pagerduty":
                await PagerDutyPoster("R" * 32, url + "v2/enqueue").send(_message())
            else:
                await SlackPoster(make_client("xoxb-1", url + "api/")).send(_message())
    assert caught.value.retry_after is not None
    assert 100 <= caught.value.retry_after <= 120


@pytest.mark.parametrize(("after", "waits"), [("²", [1.0, 2.0]), ("garbage", [1.0, 2.0])])
async def test_start_up_auth_test_reads_retry_after_without_crashing(
    after: str, waits: list[float]
) -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async with answering_429(after) as (url, seen):
        with pytest.raises(Exception, match="cannot reach Slack's Web API"):
            await verify_token(Settings(bot_token="xoxb-1", api_url=url + "api/"), sleep=sleep)
    assert len(seen) == 3 and slept == waits


async def test_start_up_honours_an_http_date_up_to_ten_seconds() -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async with answering_429(IN_TWO_MINUTES) as (url, _):
        with pytest.raises(Exception, match="cannot reach"):
            await verify_token(Settings(bot_token="xoxb-1", api_url=url + "api/"), sleep=sleep)
    assert slept == [10.0, 10.0]


@pytest.mark.parametrize("after", ["²", "garbage", IN_TWO_MINUTES, "86400"])
async def test_the_command_client_retries_a_429_briefly_whatever_its_header(after: str) -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async with answering_429(after) as (url, seen):
        client = build_client(Settings(bot_token="xoxb-1", api_url=url + "api/"))
        client.retry_handlers = [RateLimitRetry(2, sleep=sleep)]
        with pytest.raises(SlackApiError) as caught:
            await client.api_call("chat.postMessage", json={"channel": "C1"})
    assert caught.value.response.status_code == 429 and len(seen) == 3
    assert len(slept) == 2 and all(0 <= s <= 10.25 for s in slept)


def test_the_bounds() -> None:
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert retry_after("7200") == 3600.0
    assert retry_after(" 5 ") == 5.0
    assert retry_after("Mon, 30 Nov 2026 01:00:00 GMT", now=now) == 0.0
    assert retry_after("Mon, 30 Nov 2026 02:00:30 GMT", now=now) == 30.0
    assert retry_after("-5") is None and retry_after("1e3") is None
    assert retry_after(None, default=2.0) == 2.0
