"""`/capacity plan reload` and `plan export` over HTTP and Socket Mode, a bad plan leaving the
old one live, SIGHUP and a changed file, and the plan's change log stored once."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.deps import build_deps
from bot.domain.monitoring import AlertState
from bot.jobs.plan_reload import poll_plan_file, reload_from_signal, start_plan_jobs
from bot.planio.planfile import default_plan_text
from bot.services.reload import seed_change_log
from store import Store
from tests.conftest import NOW
from tests.fakeslack import FakeSlack, slash_command_body, slash_command_payload
from tests.slack.conftest import TIMEOUT, post_signed, settings_for

MAU = '{text: "MAU > 8,000", rule: {metric: mau, op: ">", value: 8000}}'
NEW_MAU = '{text: "MAU > 9,000", rule: {metric: mau, op: ">", value: 9000}}'
OLD_COST = "new: APM (Datadog/New Relic), cost_change: 50"
NEW_COST = "new: APM (Datadog/New Relic), cost_change: 85"
REVENUE = '      - {text: Revenue > $100K/mo (justifies larger infrastructure), rule: {metric: revenue_usd, op: ">", value: 100000}}\n'  # noqa: E501
BAD = '{text: "MAU > 8,000", rule: {metric: mau, op: ">", value: 9000}}'


def changed_plan() -> str:
    text = default_plan_text()
    assert MAU in text and OLD_COST in text and REVENUE in text
    return text.replace(MAU, NEW_MAU).replace(OLD_COST, NEW_COST).replace(REVENUE, "")


@pytest.fixture
async def bots(slack: FakeSlack, tmp_path: Path) -> AsyncIterator[dict[str, BotServer]]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(default_plan_text(), encoding="utf-8")
    started: dict[str, BotServer] = {}
    for mode in ("http", "socket"):
        settings = settings_for(slack, socket=mode == "socket").model_copy(
            update={"plan_path": plan, "planners": frozenset({"U1"})}
        )
        deps = build_deps(settings, store=Store(":memory:"))
        deps.clock = lambda: NOW
        server = BotServer(deps, host="127.0.0.1", port=0)
        await server.start()
        started[mode] = server
    await slack.wait_socket_connected(timeout=5)
    yield started
    for server in started.values():
        await server.stop()
        server.deps.close()


async def reload(slack: FakeSlack, bot: BotServer, user: str = "U1") -> str:
    """`plan reload` is acked at once; its outcome follows as an ephemeral message."""
    before = len(slack.ephemerals_in("C1", user))
    assert "Reloading the plan" in await ask(slack, bot, "plan reload", user)
    shown = await slack.wait_for(lambda: slack.ephemerals_in("C1", user)[before:], timeout=10)
    return html.unescape(str(shown[0].text))


async def ask(slack: FakeSlack, bot: BotServer, text: str, user: str = "U1") -> str:
    if bot.mode == "socket":
        ack = await slack.send_socket_event(
            "slash_commands", slash_command_payload(text, user_id=user)
        )
        return html.unescape(str(ack["payload"]["text"]))
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        status, answer = await post_signed(http, bot, slash_command_body(text, user_id=user))
    assert status == 200
    return html.unescape(str(answer["text"]))


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_reload_applies_a_good_plan_and_refuses_a_bad_one(
    slack: FakeSlack, bots: dict[str, BotServer], mode: str
) -> None:
    bot = bots[mode]
    deps = bot.deps
    plan_file = deps.settings.plan_path
    assert plan_file is not None
    assert "$95/mo -> $415/mo" in await ask(slack, bot, "tier 2")  # kept in the answer cache
    # An alert of a rule the new plan drops (tier3.revenue_usd) is open.
    fired = NOW - timedelta(hours=1)
    state = AlertState(rule_id="tier3.revenue_usd", status="firing", since=fired, fired_at=fired)
    deps.store.alerts.save_states({"tier3.revenue_usd": state}, NOW)

    plan_file.write_text(default_plan_text().replace(MAU, BAD), encoding="utf-8")
    refused = await reload(slack, bot)
    assert "Plan not reloaded: the old plan stays live" in refused
    assert "tiers[1].triggers[0]: text says 8,000, rule says 9000" in refused
    assert deps.plan_version == 1 and "$95/mo -> $415/mo" in await ask(slack, bot, "tier 2")

    assert "Only planners" in await ask(slack, bot, "plan reload", user="U2")

    plan_file.write_text(changed_plan(), encoding="utf-8")
    text = await reload(slack, bot)
    assert "Plan reloaded (version 2)" in text
    for line in (
        "Tier 2 budget $415 → $450/mo",
        "rule tier2.mau: MAU > 8,000 → MAU > 9,000",
        "rule tier3.revenue_usd removed",
    ):
        assert line in text
    assert "$95/mo -> $450/mo" in await ask(slack, bot, "tier 2")
    assert "2 (1 = as started" in await ask(slack, bot, "plan")
    queued = deps.store.outbox.due(NOW + timedelta(seconds=1))
    kinds = {row.kind: row for row in queued}
    assert "Tier 2 budget $415 → $450/mo" in kinds["plan_reload"].payload
    assert "removed by reload" in kinds["resolved"].payload
    assert "tier3.revenue_usd" not in deps.store.alerts.states()
    logged = deps.store.changes.search("reloaded")
    assert logged and "MAU > 9,000" in logged[0].impact


async def test_plan_export_uploads_the_live_document(
    slack: FakeSlack, bots: dict[str, BotServer]
) -> None:
    await ask(slack, bots["http"], "plan export")
    files = await slack.wait_for(
        lambda: [f for f in slack.files.values() if f.completed], timeout=10
    )
    assert files[0].name == "capacity-plan.md"
    content = (files[0].data or b"").decode()
    assert files[0].channels == ["C1"] or files[0].channel == "C1"
    assert "**Total New Cost**: $95/mo → $415/mo (+$320/mo, +337%)" in content


async def test_a_changed_file_reloads_and_a_bad_one_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(default_plan_text(), encoding="utf-8")
    settings = settings_for_file(plan_file)
    deps = build_deps(settings, store=Store(":memory:"))
    try:
        assert await poll_plan_file(deps, NOW) is None  # unchanged
        plan_file.write_text(changed_plan(), encoding="utf-8")
        outcome = await settled_poll(deps)
        assert outcome is not None and outcome.applied and deps.plan_version == 2
        plan_file.write_text(default_plan_text().replace(MAU, BAD) + "\n", encoding="utf-8")
        with caplog.at_level(logging.ERROR):
            refused = await settled_poll(deps)
        assert refused is not None and not refused.applied
        assert "text says 8,000, rule says 9000" in caplog.text
        assert await settled_poll(deps) is None  # not again until the file changes
        assert deps.plan_version == 2
        with caplog.at_level(logging.ERROR):
            assert not (await reload_from_signal(deps)).applied  # SIGHUP: same refusal, in the log
    finally:
        deps.close()


async def settled_poll(deps):  # type: ignore[no-untyped-def]
    """Two polls, as the bot's job runs them: the first sees the change, the second (the
    file unchanged meanwhile) applies it."""
    first = await poll_plan_file(deps, NOW)
    return first if first is not None else await poll_plan_file(deps, NOW)


def settings_for_file(path: Path):  # type: ignore[no-untyped-def]
    from bot.core.config import Settings

    return Settings(plan_path=path, alerts_channel="C0ALERTS")


class _Jobs:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def add_job(self, *args: object, **kwargs: object) -> None:
        self.ids.append(str(kwargs.get("id")))


async def test_the_plans_change_log_is_stored_once(tmp_path: Path) -> None:
    db = tmp_path / "capacity.db"
    for _restart in range(2):
        deps = build_deps(
            settings_for_file(tmp_path / "missing.yaml").model_copy(
                update={"plan_path": None, "db_path": db}
            )
        )
        jobs = _Jobs()
        try:
            await start_plan_jobs(deps, jobs)  # type: ignore[arg-type]
            assert deps.store.changes.count() == 3
            assert seed_change_log(deps.plan, deps.store, NOW) == 0
        finally:
            deps.close()
    assert jobs.ids == []  # the embedded plan has no file to watch
