"""A team's document answered in its own words in Slack (issue 22's review): the served
slash command and Home speak of orders and euros where the document does, not of MAU,
`/mo` prices or unnamed dollars."""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.deps import build_deps
from store import Store
from tests.conftest import DATA, NOW, squash
from tests.fakeslack import FakeSlack, event_body, slash_command_body
from tests.slack.conftest import TIMEOUT, post_signed, settings_for

Served = Callable[[str], Awaitable[BotServer]]


@pytest.fixture
async def served(slack: FakeSlack) -> AsyncIterator[Served]:
    started: list[tuple[BotServer, object]] = []

    async def serve(name: str) -> BotServer:
        plan = DATA / "plans" / f"{name}.md"
        settings = settings_for(slack).model_copy(update={"plan_path": plan})
        deps = build_deps(settings, store=Store(":memory:"))
        deps.clock = lambda: NOW
        server = BotServer(deps, host="127.0.0.1", port=0)
        await server.start()
        started.append((server, deps))
        return server

    yield serve
    for server, deps in started:
        await server.stop()
        deps.close()  # type: ignore[attr-defined]


async def ask(bot: BotServer, text: str) -> str:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        status, answer = await post_signed(http, bot, slash_command_body(text, user_id="U1"))
    assert status == 200
    return squash(html.unescape(json.dumps(answer, ensure_ascii=False)))


async def open_home(slack: FakeSlack, bot: BotServer, user: str) -> str:
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        status, _ = await post_signed(http, bot, event_body(event), content_type="application/json")
    assert status == 200
    await slack.wait_for(lambda: slack.home_views.get(user), timeout=5)
    blocks = slack.home_views[user].view["blocks"]
    return squash(html.unescape(json.dumps(blocks, ensure_ascii=False)))


async def test_an_orders_plan_answers_in_orders_in_slack(slack: FakeSlack, served: Served) -> None:
    bot = await served("orders-nonnative")
    status = await ask(bot, "status")
    assert "assumed: no `orders` data yet" in status
    assert "Orders" in status and "MAU" not in status
    breakeven = await ask(bot, "breakeven")
    assert "Break-even at $0.08 per order" in breakeven and "/mo per order" not in breakeven
    home = await open_home(slack, bot, "U7")
    assert "Orders now" in home and "MAU" not in home and "`mau`" not in home


async def test_a_euro_plans_cost_samples_say_euros_on_home(
    slack: FakeSlack, served: Served
) -> None:
    bot = await served("b2b-api-eur")
    home = await open_home(slack, bot, "U8")
    assert "no `cost_usd` sample in EUR, the plan's currency" in home
    assert "Workspaces now" in home
    status = await ask(bot, "status")
    assert "pushed `cost_usd` samples in EUR, the plan's currency" in status
    assert "Paying workspaces" in status
