"""Every time is shown in CAPACITY_TIMEZONE with its abbreviation (EST in November, EDT in
July for New York), and in Block Kit with Slack's date formatting, so each reader sees
their own local time: silences, alerts and their resolutions, status, tier news."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands import build_router
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.compose import load_payload
from bot.notify.slack import slack_message
from bot.render.blocks import render_message
from bot.render.text import render_text
from bot.reply import Moment, Prose, Reply, Table
from tests.fakeslack import validate_blocks
from tests.support.metrics_helpers import Clock, make_deps

ZONE = "America/New_York"
WINTER = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 10:00 EST
SUMMER = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)  # 10:00 EDT
CASES = [(WINTER, "EST"), (SUMMER, "EDT")]


def _reply(deps: Deps, text: str) -> Reply:
    return build_router().dispatch(text, deps.context(user_id="U_PLANNER"))


def _dump(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _token(at: datetime, fallback: str) -> str:
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


@pytest.mark.parametrize(("now", "abbr"), CASES)
def test_a_silence_says_until_in_the_team_zone_and_in_each_reader_zone(
    now: datetime, abbr: str
) -> None:
    deps = make_deps(Clock(now), timezone=ZONE)
    reply = _reply(deps, "silence tier2.mau 2h")
    day = now.date().isoformat()
    assert f"no messages until {day} 12:00 {abbr} (by U_PLANNER)" in render_text(reply)
    assert "UTC" not in render_text(reply)
    message = render_message(reply)
    assert validate_blocks(message["blocks"]) == []
    until = now + timedelta(hours=2)
    assert _token(until, f"{day} 12:00 {abbr}") in _dump(message["blocks"])
    assert f"{day} 12:00 {abbr}" in message["text"]  # the notification fallback

    triggers = _reply(deps, "triggers")
    assert f"until {day} 12:00 {abbr} by U_PLANNER" in render_text(triggers)
    blocks = render_message(triggers)["blocks"]
    assert validate_blocks(blocks) == []
    # A message has one table block (the scaling triggers here); the live state is
    # monospace, where Slack formats no dates: the team's zone, named.
    assert f"until {day} 12:00 {abbr} by U_PLANNER" in _dump(blocks)


def test_a_moment_in_a_table_block_is_a_rich_text_date() -> None:
    at = WINTER
    moment = Moment(at, ZoneInfo(ZONE))
    table = Table(columns=("Rule", "Silenced"), rows=(("r1", Prose("until ", moment, " by U1")),))
    blocks = render_message(Reply(title="t", parts=(table,)))["blocks"]
    assert validate_blocks(blocks) == []
    cell = next(b for b in blocks if b["type"] == "table")["rows"][1][1]
    assert cell == {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "until "},
                    {
                        "type": "date",
                        "timestamp": int(at.timestamp()),
                        "format": "{date_short_pretty} {time}",
                        "fallback": "2026-11-27 10:00 EST",
                    },
                    {"type": "text", "text": " by U1"},
                ],
            }
        ],
    }


@pytest.mark.parametrize(("now", "abbr"), CASES)
def test_alerts_their_resolution_and_its_edit_are_in_the_team_zone(
    now: datetime, abbr: str
) -> None:
    clock = Clock(now)
    deps = make_deps(clock, timezone=ZONE)
    deps.store.metrics.add_batch([Sample(metric="mau", at=now, value=9000)])
    evaluate_once(deps, now)
    firing = [r for r in deps.store.outbox.due(now) if r.kind == "firing"]
    stored = load_payload(firing[0].payload)
    payload = slack_message(stored)  # what the Slack poster posts
    day = now.date().isoformat()
    assert f"since {day} 10:00 {abbr}" in payload["text"] and "UTC" not in payload["text"]
    assert _token(now, f"{day} 10:00 {abbr}") in _dump(payload["blocks"])
    assert validate_blocks(payload["blocks"]) == []
    # Delivered (as the outbox worker records it), so its resolution is worth a message.
    row = firing[0]
    deps.store.outbox.mark_sent(row.id, "C_ALERTS", "1.1", now)
    pairs = [(a.rule_id, a.fired_at) for a in stored.alerts]
    deps.store.alerts.record_messages(pairs, row.id, "C_ALERTS", "1.1")

    for minute in range(1, 8):  # past the 5-minute hold-down
        clock.now = now + timedelta(minutes=minute)
        deps.store.metrics.add_batch([Sample(metric="mau", at=clock.now, value=100)])
        evaluate_once(deps, clock.now)
    resolved = [r for r in deps.store.outbox.due(clock.now) if r.kind == "resolved"]
    stored = load_payload(resolved[0].payload)
    payload = slack_message(stored)
    later = datetime.fromisoformat(stored.at)
    shown = later.astimezone(ZoneInfo(ZONE)).strftime(f"{day} %H:%M {abbr}")
    assert f"Resolved {shown}." in payload["text"] and "UTC" not in payload["text"]
    assert _token(later, shown) in _dump(payload["blocks"])
    assert stored.edit is not None
    # The original message as the Slack poster edits it.
    edit = slack_message(stored.model_copy(update={"reply": stored.edit.reply}))
    assert f"resolved {shown}" in edit["text"]
    assert _token(later, shown) in _dump(edit["blocks"])
    assert validate_blocks(payload["blocks"]) == validate_blocks(edit["blocks"]) == []


@pytest.mark.parametrize(("now", "abbr"), CASES)
def test_status_shows_firing_alerts_and_the_built_record_in_the_team_zone(
    now: datetime, abbr: str
) -> None:
    deps = make_deps(Clock(now), timezone=ZONE)
    deps.store.metrics.add_batch([Sample(metric="mau", at=now, value=9000)])
    evaluate_once(deps, now)
    _reply(deps, "built 1")
    reply = _reply(deps, "status")
    text = render_text(reply)
    day = now.date().isoformat()
    assert f"recorded by U_PLANNER {day} 10:00 {abbr}" in text
    firing = next(line for line in text.splitlines() if line.startswith("tier2.mau"))
    assert f"{day} 10:00 {abbr}" in firing
    assert not re.search(r"\d\d:\d\d UTC", text)
    blocks = render_message(reply)["blocks"]
    assert validate_blocks(blocks) == []
    assert _token(now, f"{day} 10:00 {abbr}") in _dump(blocks)


def test_the_fake_slack_refuses_a_malformed_date_token() -> None:
    good = _token(WINTER, "2026-11-27 10:00 EST")
    for text, errors in (
        (f"until {good}.", 0),
        ("until <!date^abc^{time}|x>.", 1),
        ("until <!date^1700000000^{nonsense}|x>.", 1),
        ("until <!date^1700000000^{time}>.", 1),  # no fallback
    ):
        block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        assert len(validate_blocks([block])) == errors, text
