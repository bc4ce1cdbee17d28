"""After a reload, Home shows the new plan without being opened again; and the reload reads
its file off the event loop."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.deps import build_deps
from bot.jobs.plan_reload import poll_plan_file
from bot.planio.planfile import default_plan_text
from bot.reload import reload_plan_off_loop
from bot.slack.front import HomeViewers
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, event_body
from tests.slack.conftest import TIMEOUT, post_signed
from tests.slack.test_plan_reload import BAD, MAU, bots, changed_plan, reload, settings_for_file
from tests.slack.test_socket_mode import events_api

__all__ = ["bots"]  # the fixture, shared with test_plan_reload


async def open_home(slack: FakeSlack, bot: BotServer, user: str) -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
    if bot.mode == "socket":
        await slack.send_socket_event("events_api", events_api(event))
    else:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            status, _ = await post_signed(
                http, bot, event_body(event), content_type="application/json"
            )
        assert status == 200
    await slack.wait_for(lambda: slack.home_views.get(user), timeout=5)


def home_title(slack: FakeSlack, user: str) -> str:
    blocks = slack.home_views[user].view["blocks"]
    return str(json.dumps(blocks[0], ensure_ascii=False))


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_reload_republishes_home_for_who_opened_it_and_a_refused_one_does_not(
    slack: FakeSlack, bots: dict[str, BotServer], mode: str
) -> None:
    bot = bots[mode]
    plan_file = bot.deps.settings.plan_path
    assert plan_file is not None
    await open_home(slack, bot, "U7")
    assert "Recipe Box" not in home_title(slack, "U7")

    plan_file.write_text(default_plan_text().replace(MAU, BAD), encoding="utf-8")
    assert "Plan not reloaded" in await reload(slack, bot)
    plan_file.write_text(changed_plan() + "product: Recipe Box\n", encoding="utf-8")
    assert "Plan reloaded (version 2)" in await reload(slack, bot)

    view = await slack.wait_for(
        lambda: (v := slack.home_views["U7"]) and v.history and v, timeout=5
    )
    assert len(view.history) == 1  # opened once, republished once: not for the refused plan
    assert "Capacity: Recipe Box" in home_title(slack, "U7")
    assert "U1" not in slack.home_views  # the planner never opened Home


def test_home_viewers_are_the_recent_ones_most_recent_first_and_bounded() -> None:
    viewers = HomeViewers(limit=3, window=timedelta(days=7))
    viewers.opened("U_OLD", NOW - timedelta(days=8))
    for minutes, user in enumerate(("U1", "U2", "U3")):
        viewers.opened(user, NOW + timedelta(minutes=minutes))
    viewers.opened("U1", NOW + timedelta(minutes=5))  # opened again: most recent now
    assert viewers.recent(NOW + timedelta(hours=1)) == ["U1", "U3", "U2"]
    viewers.opened("U4", NOW + timedelta(minutes=6))  # a fourth: the least recent goes
    assert viewers.recent(NOW + timedelta(hours=1)) == ["U4", "U1", "U3"]
    assert viewers.recent(NOW + timedelta(days=7, minutes=5)) == ["U4", "U1"]


async def test_a_changed_file_tells_the_reload_listeners_and_a_refused_one_does_not(
    tmp_path: Path,
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(default_plan_text(), encoding="utf-8")
    deps = build_deps(settings_for_file(plan_file), store=Store(":memory:"))
    told: list[int] = []
    deps.after_reload.append(lambda: told.append(deps.plan_version))
    try:
        plan_file.write_text(default_plan_text().replace(MAU, BAD), encoding="utf-8")
        refused = await poll_plan_file(deps, NOW)
        assert refused is not None and not refused.applied
        assert told == []
        plan_file.write_text(changed_plan(), encoding="utf-8")
        assert await poll_plan_file(deps, NOW) is not None
        assert told == [2]  # after the swap: the listener sees the new plan
    finally:
        deps.close()


async def test_the_reload_reads_the_plan_file_off_the_event_loop(tmp_path: Path) -> None:
    """The plan file is a FIFO: reading it waits until someone writes. The writer waits
    (at most 10 s) for the event loop to run again while the reload reads; were the file
    read on the loop, the loop could not run until the writer gave up."""
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(default_plan_text(), encoding="utf-8")
    deps = build_deps(settings_for_file(plan_file), store=Store(":memory:"))
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    deps.settings = deps.settings.model_copy(update={"plan_path": fifo})
    loop_ran = threading.Event()
    answered: list[bool] = []

    def write() -> None:
        answered.append(loop_ran.wait(timeout=10))
        fifo.write_text(changed_plan(), encoding="utf-8")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        reloading = asyncio.ensure_future(reload_plan_off_loop(deps, by="test", now=NOW))
        for _ in range(3):  # the task starts, hands the read to a thread, awaits it
            await asyncio.sleep(0)
        loop_ran.set()
        outcome = await asyncio.wait_for(reloading, timeout=20)
        writer.join(timeout=10)
        assert answered == [True]
        assert outcome.applied and deps.plan_version == 2
    finally:
        loop_ran.set()
        deps.close()
