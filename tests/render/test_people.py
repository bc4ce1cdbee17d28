"""People as a person reads them: in Slack a mention (`<@U024BE7LH>`, which Slack shows as
their name), in the terminal the id or "the terminal"; never a raw `<@...>` in text."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.notify.compose import load_payload
from bot.notify.slack import slack_message
from bot.planio.planfile import default_plan_text
from bot.render.blocks import mrkdwn, render_message
from bot.render.text import render_text
from bot.reply import Person, Prose, Reply, Table
from bot.services.reload import carry_out_reload
from store import Store
from tests.conftest import NOW
from tests.fakeslack import validate_blocks
from tests.support.metrics_helpers import Clock, make_deps

PLANNER = "U024BE7LH"  # Slack's user-id format
ROUTER = build_router()


def dump(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_a_slack_user_is_a_mention_and_anything_else_plain_escaped_text() -> None:
    assert mrkdwn(Prose("by ", Person(PLANNER), ".")) == f"by <@{PLANNER}>."
    assert mrkdwn(Prose("by ", Person("W0ENTERPRISE"))) == "by <@W0ENTERPRISE>"
    assert mrkdwn(Prose("by ", Person("terminal"))) == "by the terminal"
    # Whatever is stored as `by` never becomes a ping or markup.
    assert mrkdwn(Prose("by ", Person("<!channel>"))) == "by &lt;!channel&gt;"
    assert mrkdwn(Prose("by ", Person("u123"))) == "by u123"
    assert str(Prose("by ", Person(PLANNER))) == f"by {PLANNER}"


def test_a_person_in_a_table_block_is_a_rich_text_user() -> None:
    table = Table(columns=("Rule", "By"), rows=(("r1", Prose("by ", Person(PLANNER))),))
    blocks = render_message(Reply(title="t", parts=(table,)))["blocks"]
    assert validate_blocks(blocks) == []
    cell = next(b for b in blocks if b["type"] == "table")["rows"][1][1]
    assert cell["elements"][0]["elements"] == [
        {"type": "text", "text": "by "},
        {"type": "user", "user_id": PLANNER},
    ]


def test_a_silence_names_who_set_it_in_slack_and_in_the_terminal() -> None:
    deps = make_deps(Clock(NOW))
    reply = ROUTER.dispatch("silence tier2.mau 2h", deps.context(user_id=PLANNER))
    message = render_message(reply)
    assert validate_blocks(message["blocks"]) == []
    assert f"(by <@{PLANNER}>)." in dump(message["blocks"])
    assert f"(by {PLANNER})." in render_text(reply)
    assert "<@" not in render_text(reply)

    shell = ROUTER.dispatch("silence tier1.mau 1h", deps.context(user_id="terminal"))
    assert "(by the terminal)." in render_text(shell)
    assert "<@terminal>" not in dump(render_message(shell)["blocks"])

    triggers = render_text(ROUTER.dispatch("triggers", deps.context(user_id=PLANNER)))
    assert f"by {PLANNER}" in triggers and "by the terminal" in triggers
    assert "<@" not in triggers


def test_the_built_tier_is_recorded_by_a_mention_in_slack_and_an_id_in_text() -> None:
    deps = make_deps(Clock(NOW))
    ROUTER.dispatch("built 1", deps.context(user_id=PLANNER))
    reply = ROUTER.dispatch("built", deps.context(user_id=PLANNER))
    assert f"recorded by {PLANNER} " in render_text(reply)
    assert "<@" not in render_text(reply)
    blocks = render_message(reply)["blocks"]
    assert validate_blocks(blocks) == [] and f"recorded by <@{PLANNER}> <!date^" in dump(blocks)


def reloaded(tmp_path: Path, user: str) -> tuple[Deps, dict[str, Any]]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(default_plan_text(), encoding="utf-8")
    settings = Settings(plan_path=plan, alerts_channel="C_ALERTS")
    deps = build_deps(settings, store=Store(":memory:"), clock=lambda: NOW)
    plan.write_text(
        default_plan_text().replace("cost_change: 50", "cost_change: 85", 1), encoding="utf-8"
    )
    assert "Plan reloaded" in render_text(carry_out_reload(deps, user))
    (row,) = [r for r in deps.store.outbox.due(NOW + timedelta(1)) if r.kind == "plan_reload"]
    # What the Slack poster posts for the queued row.
    payload: dict[str, Any] = slack_message(load_payload(row.payload))
    return deps, payload


def test_the_reload_diff_mentions_who_reloaded(tmp_path: Path) -> None:
    deps, payload = reloaded(tmp_path, PLANNER)
    assert validate_blocks(payload["blocks"]) == []
    assert f"by <@{PLANNER}>, <!date^" in dump(payload["blocks"])
    assert f"by {PLANNER}," in payload["text"] and "&lt;@" not in payload["text"]
    (entry,) = deps.store.changes.search("reloaded")
    assert entry.recorded_by == PLANNER and f"Reloaded by {PLANNER} from" in entry.reason
    deps.close()


def test_a_reload_from_the_terminal_says_so(tmp_path: Path) -> None:
    deps, payload = reloaded(tmp_path, "terminal")
    assert "by the terminal, <!date^" in dump(payload["blocks"])
    assert "<@terminal>" not in dump(payload)
    deps.close()


def test_the_fake_slack_refuses_a_mention_of_what_is_not_a_user() -> None:
    text = {"type": "section", "text": {"type": "mrkdwn", "text": "by <@terminal>"}}
    assert validate_blocks([text]) != []
    user = {"type": "user", "user_id": "terminal"}
    rich = {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [user]}]}
    assert validate_blocks([rich]) != []
    text["text"]["text"] = f"by <@{PLANNER}>"
    user["user_id"] = PLANNER
    assert validate_blocks([text]) == validate_blocks([rich]) == []
