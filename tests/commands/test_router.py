"""The router as a person meets it: every command answers, bad input is explained."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan
from bot.render.blocks import render_message
from bot.render.text import render_text
from bot.reply import Reply
from store import Store
from tests.conftest import NOW, answer, squash


def test_tier_two_shows_total_change_and_component_table() -> None:
    text = answer("tier 2")
    assert "$95/mo -> $415/mo (+$320/mo, +337%)" in text
    for row in ("Monitoring", "APM (Datadog/New Relic)", "+$50/mo", "Redis cluster (3 nodes)"):
        assert row in text
    assert "Handles 1,000,000 req/day (100x increase)" in text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("tiers", ["$40/mo", "$95/mo", "$415/mo", "$2,315/mo", "+137%", "+337%", "+458%"]),
        ("cost", ["$0.095/mo", "$0.0415/mo", "~$0.041", "$1.14/yr", "~$0.50/yr", "~$0.28/yr"]),
        ("cost 5000", ["Tier 2", "$415/mo", "$0.083/mo"]),
        (
            "breakeven",
            [
                "4 instructors",
                "17 instructors",
                "93 instructors",
                "465 instructors",
                "$11,625/mo",
                "81%",
            ],
        ),
        ("breakeven 30", ["$30/mo per instructor", "14 instructors", "78 instructors"]),
        ("compute 100", ["~30 vCPUs", "8 containers (4 vCPU each)", "3.5 req/sec"]),
        ("connections 2", ["45 connections", "Fits within"]),
        ("connections 50", ["525 connections", "PgBouncer", "500 backend connections"]),
        ("connections 5 0", ["50 connections"]),
        ("storage 1000", ["20GB files + 5GB DB = 25GB total"]),
        ("storage 1,000", ["25GB total"]),
        ("targets", ["< 80ms", "99.99%"]),
        ("targets 3", ["< 80ms", "99.99%"]),
        ("targets 0", ["< 200ms", "99%"]),
        ("triggers", ["CPU > 70% for 1 hour", "Add API container", "MAU > 8,000"]),
        ("scenario", ["traffic-spike", "database-failure"]),
        ("scenario database-failure", ["30 minutes (restore from backup)", "maintenance mode"]),
        ("scenario 1", ["Manually scale API to 10 containers"]),
        ("/capacity tier 1", ["$40/mo -> $95/mo (+$55/mo, +137%)"]),
        ("TIER 3", ["$415/mo -> $2,315/mo (+$1,900/mo, +458%)"]),
    ],
)
def test_every_command_answers_from_the_plan(command: str, expected: list[str]) -> None:
    text = squash(answer(command))
    assert not text.startswith("Error")
    for fragment in expected:
        assert fragment in text, fragment


@pytest.mark.parametrize(
    ("command", "message", "example"),
    [
        ("tier 9", "There is no tier 9: the plan has tiers 1, 2, 3", "tier 2"),
        ("tier two", "`two` is not a tier number", "tier 2"),
        ("tier", "Say which tier: 0 (the baseline) to 3", "tier 2"),
        ("compute -5", "must be more than zero", "compute 100"),
        ("compute lots", "`lots` is not a number", "compute 100"),
        ("connections 2.5", "whole number", "connections 5"),
        ("storage 0", "more than zero", "storage 1000"),
        ("breakeven free", "`free` is not a number", "breakeven 30"),
        ("teir 2", "Did you mean `tier`?", "tier 2"),
        ("brekeven", "Did you mean `breakeven`?", "breakeven 30"),
        ("xyzzy", "`help` lists every command", "help"),
        (
            "scenario zombies",
            "the plan has `traffic-spike`, `database-failure`",
            "scenario traffic-spike",
        ),
        ("tiers 4", "`tiers` takes nothing", "tiers"),
    ],
)
def test_bad_input_says_what_was_wrong_and_a_working_example(
    command: str, message: str, example: str
) -> None:
    text = squash(answer(command))
    assert text.startswith("Error")
    assert message in text
    # The terminal takes the example as it stands: no Slack command in front.
    assert f"Try: `{example}`" in text and "/capacity" not in text
    # and the example itself works
    assert not answer(example).startswith("Error")


@pytest.mark.parametrize(
    "text",
    [
        "tier 2 ; DROP TABLE changes",
        "💥" * 50,
        "x" * 5000,
        'tier "2',
        "tier 1e400",
        "compute NaN",
        "compute inf",
        "compute 1e999",
        "cost -0",
        "\x00\x01",
        "help me please",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    assert answer(text)


def test_help_lists_every_registered_command_with_a_working_example(plan: Plan) -> None:
    router = build_router()
    text = answer("help")
    assert "/capacity" not in text  # the shell takes `tier N`, not `/capacity tier N`
    for command in router.commands:
        assert command.usage in text
        assert not answer(command.example).startswith("Error"), command.example


def test_empty_text_is_help() -> None:
    assert answer("") == answer("help")


def test_second_plan_answers_end_to_end(second_plan: Plan) -> None:
    tiers = squash(answer("tiers", second_plan))
    assert "Podcast hosting" in tiers
    assert "$2,800/mo" in tiers  # 120 + 40 + 140 + 300 + 900 + 1300
    five = squash(answer("tier 5", second_plan))
    assert "$1,500/mo -> $2,800/mo (+$1,300/mo, +87%)" in five
    assert "-$200/mo" in five
    assert "There is no tier 6: the plan has tiers 1, 2, 3, 4, 5" in answer("tier 6", second_plan)
    assert "show" in answer("breakeven", second_plan)
    assert "14 shows" in squash(answer("breakeven", second_plan))  # $160 / $12 = 13.3
    assert "Need 43 vCPUs" in answer("compute 215", second_plan)  # 215 / 5
    assert "Need 18 vCPUs" in answer("compute 90", second_plan)  # too few for "~20"
    assert "cdn-outage" in answer("scenario", second_plan)


def test_a_command_that_breaks_answers_with_a_reference_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from datetime import UTC, datetime

    from bot.commands import Command, Context
    from bot.planio.planfile import default_plan

    def broken(args: list[str], ctx: Context) -> Reply:
        raise ZeroDivisionError("secret internals")

    router = build_router()
    router.register(Command("broken", "broken", "broken", "Raises", broken))
    reply = router.dispatch("broken now", Context(plan=default_plan(), now=datetime.now(UTC)))
    text = render_text(reply)
    assert reply.error and "Reference" in text
    assert "secret internals" not in text and "Traceback" not in text
    assert "broken now" in caplog.text and "ZeroDivisionError" in caplog.text


def test_who_may_run_a_command_is_its_declaration_and_the_router_holds_to_it() -> None:
    from datetime import UTC, datetime

    from bot.commands import Command, Context
    from bot.core.config import Settings
    from bot.planio.planfile import default_plan

    ran: list[str | None] = []

    def record(args: list[str], ctx: Context) -> Reply:
        ran.append(ctx.user_id)
        return Reply(title="done")

    router = build_router()
    router.register(Command("rec", "rec", "rec", "Records", record, who="planners"))
    settings = Settings(planners=frozenset({"UPLAN"}))

    def ctx(user: str) -> Context:
        return Context(default_plan(), datetime.now(UTC), user_id=user, settings=settings)

    refused = router.dispatch("rec", ctx("USTRANGER"))
    assert refused.error and "CAPACITY_PLANNERS" in render_text(refused) and ran == []
    assert router.dispatch("rec", ctx("UPLAN")).title == "done" and ran == ["UPLAN"]
    planners_only = {c.name for c in build_router().commands if c.who == "planners"}
    assert planners_only == {"log", "metric", "silence"}


def slack_message(command: str) -> dict[str, Any]:
    deps = Deps(Settings(), default_plan(), lambda: NOW, Store(":memory:"))
    try:
        return render_message(build_router().dispatch(command, deps.context(user_id="U1")))
    finally:
        deps.close()


@pytest.mark.parametrize("command", ["breakeven free", "brekeven", "xyzzy"])
def test_slack_hints_keep_the_slash_command(command: str) -> None:
    message = slack_message(command)
    (context,) = [b for b in message["blocks"] if b["type"] == "context"]
    hint = context["elements"][0]["text"]
    assert hint.startswith("Try: `/capacity ") and "Try: `/capacity " in message["text"]


def test_slack_help_lists_the_slash_command() -> None:
    message = slack_message("help")
    table = json.dumps(message["blocks"])
    assert '"/capacity tier N"' in table and '"/capacity breakeven 30"' in table


def test_no_terminal_answer_names_the_slack_command() -> None:
    # Hints in notes ("`tier N` shows one tier in full") are typed as the shell takes them.
    examples = [c.example for c in build_router().commands]
    for text in [*examples, "tiers", "baseline", "cost", "silence", "plan", "changes"]:
        assert "/capacity" not in answer(text), text
    assert "`/capacity tier N` shows one tier in full." in slack_message("tiers")["text"]
