"""A Reply kept in the outbox as JSON reads the same when a poster renders it later: in
Block Kit, in its text fallback and as plain text, with its moments in the zone they carry,
its people and commands, and its amounts in the currency it was composed in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.commands import build_router
from bot.domain.money import in_currency
from bot.domain.span import Span
from bot.render.blocks import render_message
from bot.render.stored import dump_reply, in_stored_currency, load_reply
from bot.render.text import render_text
from bot.reply import (
    Action,
    Code,
    Effect,
    Facts,
    Moment,
    Money,
    Person,
    Prose,
    Quantity,
    Reply,
    Section,
    Table,
    Text,
    Typed,
)
from tests.support.metrics_helpers import Clock, make_deps

AT = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def kept(reply: Reply) -> tuple[Reply, dict[str, object]]:
    """Through the outbox: dumped to JSON text and read back."""
    data = json.loads(json.dumps(dump_reply(reply)))
    return load_reply(data), data


def test_every_part_and_value_reads_the_same_after_waiting_in_the_outbox() -> None:
    reply = Reply(
        title="Capacity **warning**",
        parts=(
            Text(Prose("Held since ", Moment(AT, NEW_YORK), " by ", Person("U024BE7LH"), ".")),
            Facts(
                (
                    ("Cost", Money(Decimal("81.60"), sign=True, symbol="€")),
                    ("Range", Money(Span(Decimal("35"), Decimal("50")))),
                    ("p95", Quantity(892.456, "ms")),
                    ("Exact", Quantity(Decimal("1.005"), "GB")),
                    ("Nothing", Quantity(None, "%")),
                    ("Day", Moment(AT, timezone(timedelta(hours=2)), "day")),
                    ("Try", Typed("breakeven 30")),
                    ("Who", Person("terminal")),
                )
            ),
            Table(
                ("When", "Users"),
                ((Moment(AT, UTC, "short"), "850 users"), (Prose("at ", Moment(AT)), "x")),
                title="Rows",
                numeric=(False, True),
            ),
            Section("Steps", ("one", Prose("try ", Typed("tier 2"))), numbered=True),
            Code(("a: 1", "  b: 2"), title="yaml"),
        ),
        notes=(Prose("Muted until ", Moment(AT + timedelta(hours=2), NEW_YORK), "."),),
        actions=(Action("capacity_share", "Share", "tier 2", "primary"),),
        meta={"cursor": "3"},
    )
    again, _ = kept(reply)
    assert again == reply  # dataclass equality: every part and value, typed as it was
    assert render_message(again) == render_message(reply)
    assert render_text(again) == render_text(reply)
    text = again.parts[0]
    assert isinstance(text, Text) and isinstance(text.text, Prose)
    assert text.text.pieces == (
        "Held since ",
        Moment(AT, NEW_YORK),
        " by ",
        Person("U024BE7LH"),
        ".",
    )


def test_amounts_follow_the_currency_the_reply_was_composed_in() -> None:
    # A figure in the plan's unit `$` is written in the plan's currency (euros here) when
    # it is composed; rendered later, outside any plan, it must not turn into dollars.
    reply = Reply(title="Spend", parts=(Facts((("Month", Quantity(18.5, "$")),)),))
    with in_currency("EUR"):
        composed = render_message(reply)
        data = dump_reply(reply)
    with in_stored_currency(data):
        later = render_message(load_reply(json.loads(json.dumps(data))))
    assert later == composed and "€18.50" in later["text"]


@pytest.mark.parametrize(
    "text",
    ["tier 2", "tiers", "status", "triggers", "cost 5000", "breakeven 30", "targets", "help"],
)
def test_command_answers_render_the_same_after_waiting_in_the_outbox(text: str) -> None:
    deps = make_deps(Clock(AT), timezone="America/New_York")
    with in_currency(deps.plan.currency):
        reply = build_router().dispatch(text, deps.context(user_id="U0PLANNER"))
        again, data = kept(reply)
        assert render_message(again) == render_message(reply)
    with in_stored_currency(data):
        assert render_message(again) == render_message(reply)
    assert render_text(again) == render_text(reply)


def test_a_reply_asking_for_an_effect_is_not_kept() -> None:
    class Upload(Effect):
        pass

    with pytest.raises(TypeError, match="effect"):
        dump_reply(Reply(title="export", effect=Upload()))
