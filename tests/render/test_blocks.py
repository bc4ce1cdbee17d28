from __future__ import annotations

import pytest

from bot.commands import Context, build_router
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan
from bot.render.blocks import (
    SHARE_ACTION_ID,
    escape,
    mrkdwn,
    render_home,
    render_message,
    render_modal,
)
from bot.reply import Action, Facts, Reply, Section, Table, Text
from tests.conftest import NOW
from tests.fakeslack import validate_blocks, validate_view
from tests.support.largeplan import large_plan


def command_texts(plan: Plan) -> list[str]:
    """Every router command's example, plus each tier, target and scenario by name."""
    texts = ["", "help", "nonsense words", "tier 99"]
    texts += [c.example for c in build_router().commands]
    texts += [f"tier {n}" for n in range(1, plan.tier_count + 1)]
    texts += [f"targets {n}" for n in range(1, plan.tier_count + 1)]
    texts += [f"scenario {s.id}" for s in plan.scenarios]
    return texts


def replies(plan: Plan) -> list[tuple[str, Reply]]:
    router = build_router()
    ctx = Context(plan=plan, now=NOW, user_id="U1")
    return [(text, router.dispatch(text, ctx)) for text in command_texts(plan)]


PLANS = {"default": default_plan, "large": large_plan}


@pytest.mark.parametrize("which", list(PLANS))
def test_every_command_renders_valid_message_blocks(which: str) -> None:
    for text, reply in replies(PLANS[which]()):
        message = render_message(reply, command=text, share=True)
        assert validate_blocks(message["blocks"], "message") == [], text
        assert message["text"], text
        assert len(message["text"]) <= 3000


@pytest.mark.parametrize("which", list(PLANS))
def test_every_command_renders_valid_home_and_modal_views(which: str) -> None:
    for text, reply in replies(PLANS[which]()):
        assert validate_view(render_home(reply)) == [], text
        assert validate_view(render_modal(reply, title=reply.title)) == [], text


def test_an_oversized_reply_is_cut_with_a_note_saying_where_the_rest_is() -> None:
    reply = Reply("big", parts=tuple(Text("x" * 2900) for _ in range(200)))
    blocks = render_message(reply, command="tier 3")["blocks"]
    assert validate_blocks(blocks) == []
    assert len(blocks) <= 50
    notes = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert any("more blocks not shown" in n and "tier 3" in n for n in notes)


def test_text_is_escaped_and_bold_translated() -> None:
    assert mrkdwn("**a** & <b>") == "*a* &amp; &lt;b&gt;"
    assert escape("&lt;") == "&amp;lt;"
    assert mrkdwn("<@U123> *bold*") == "&lt;@U123&gt; *bold*"


def test_only_one_table_block_per_message_the_rest_monospace() -> None:
    table = Table(columns=("a", "b"), rows=(("1", "2"),), numeric=(False, True))
    blocks = render_message(Reply("t", parts=(table, table)))["blocks"]
    assert [b["type"] for b in blocks].count("table") == 1
    assert any(b["type"] == "section" and "```" in b["text"]["text"] for b in blocks)
    assert validate_blocks(blocks) == []


def test_tables_never_appear_in_views() -> None:
    table = Table(columns=("a",), rows=(("1",),))
    view = render_home(Reply("t", parts=(table,)))
    assert all(b["type"] != "table" for b in view["blocks"])


def test_many_facts_split_into_sections_of_ten() -> None:
    facts = Facts(pairs=tuple((f"k{i}", "v" * 3000) for i in range(25)))
    blocks = render_message(Reply("t", parts=(facts,)))["blocks"]
    assert [len(b["fields"]) for b in blocks if "fields" in b] == [10, 10, 5]
    assert validate_blocks(blocks) == []


def test_long_text_and_lists_split_at_3000_characters() -> None:
    reply = Reply(
        "x" * 400,
        parts=(Text("<" * 5000), Section("h", tuple("y" * 500 for _ in range(30)))),
        notes=tuple(f"n{i}" for i in range(15)),
        actions=tuple(Action("a", "L" * 100) for _ in range(30)),
    )
    blocks = render_message(reply)["blocks"]
    assert validate_blocks(blocks) == []
    assert blocks[0]["type"] == "header"


def test_share_button_carries_the_command_and_errors_have_none() -> None:
    ok = render_message(Reply("t"), command="tier 2", share=True)["blocks"]
    button = ok[-1]["elements"][0]
    assert (button["action_id"], button["value"]) == (SHARE_ACTION_ID, "tier 2")
    bad = render_message(Reply("t", error=True), command="x", share=True)["blocks"]
    assert all(b["type"] != "actions" for b in bad)


def test_block_ids_are_unique() -> None:
    for _, reply in replies(large_plan()):
        ids = [b["block_id"] for b in render_message(reply)["blocks"]]
        assert len(ids) == len(set(ids))
