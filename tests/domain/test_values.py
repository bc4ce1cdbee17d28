"""One formatter for a value with its unit, money and moments; every surface uses it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.values import Moment, Money, Quantity, fmt_moment, fmt_value, shown
from bot.render.blocks import render_blocks
from bot.render.text import render_text
from bot.reply import Facts, Reply, Table

AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "unit", "sign", "text"),
    [
        (81.6, "$", False, "$81.60"),
        (-5, "$", False, "-$5"),
        (55, "$", True, "+$55"),
        (1234.567, "$", False, "$1,234.57"),
        (892.0, "ms", False, "892ms"),
        (40, "GB", False, "40GB"),
        (87.456, "%", False, "87.46%"),
        (-28.0001, "ms", True, "-28ms"),
        (850, "users", False, "850 users"),
        (14, "connections", True, "+14 connections"),
        (-0.001, "", True, "+0"),
        (None, "%", False, "no data"),
    ],
)
def test_a_value_with_its_unit_reads_one_way(
    value: float | None, unit: str, sign: bool, text: str
) -> None:
    assert fmt_value(value, unit, sign=sign) == text


def test_moments_are_written_in_the_team_zone_with_its_abbreviation() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert fmt_moment(AT) == "2026-11-27 10:00 UTC"
    assert fmt_moment(AT, berlin) == "2026-11-27 11:00 CET"
    assert fmt_moment(AT, berlin, "day") == "Fri 27 Nov 2026"
    assert shown(Moment(AT, berlin, "short")) == "Fri 27 Nov 11:00 CET"
    assert shown(Money(Decimal("-5"))) == "-$5" and shown(Quantity(81.6, "$")) == "$81.60"


def test_text_shows_a_moment_in_the_team_zone_and_block_kit_in_the_readers() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    reply = Reply(
        title="t",
        parts=(
            Facts(pairs=(("Since", Moment(AT, berlin)), ("Cost", Quantity(-5, "$")))),
            Table(columns=("Rule", "Since"), rows=(("r1", Moment(AT, berlin)),)),
        ),
    )
    text = render_text(reply)
    assert "Since: 2026-11-27 11:00 CET" in text and "Cost:  -$5" in text
    blocks = render_blocks(reply)
    fields = [f["text"] for b in blocks for f in b.get("fields", ())]
    unix = int(AT.timestamp())
    assert f"<!date^{unix}^{{date_short_pretty}} {{time}}|2026-11-27 11:00 CET>" in fields[0]
    # In a table block the cell is rich text with a date element (each reader's zone).
    table = next(b for b in blocks if b["type"] == "table")
    (date,) = table["rows"][1][1]["elements"][0]["elements"]
    assert date == {
        "type": "date",
        "timestamp": unix,
        "format": "{date_short_pretty} {time}",
        "fallback": "2026-11-27 11:00 CET",
    }


def test_every_surface_writes_money_the_same_way() -> None:
    from bot.notify.compose import AlertLine, alert_reply
    from tests.conftest import answer

    assert "Recorded revenue_usd = $81.60" in answer("metric revenue_usd 81.6")
    # Money is never negative by default (metric ranges); the refusal writes it the same way.
    assert "Not recorded: -$5 is below revenue_usd's minimum of $0" in answer(
        "metric revenue_usd -5"
    )
    line = AlertLine(
        rule_id="r",
        fired_at=AT.isoformat(),
        title="Revenue below plan",
        metric="revenue_usd",
        unit="$",
        value=-5,
        op="<",
        threshold=81.6,
        held_seconds=3600,
        severity="p1",
    )
    text = render_text(alert_reply("firing", [line]))
    assert "`revenue_usd` is -$5 (threshold < $81.60)" in text
