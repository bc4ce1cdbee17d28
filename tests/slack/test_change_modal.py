"""The change-log modal through the real signed HTTP path, against the fake Slack."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.commands import build_router
from bot.domain.changes import tier_options
from bot.planio.planfile import default_plan
from bot.render.blocks import render_message
from bot.render.modals import DELETE_ACTION, EDIT_ACTION, FormMeta, change_modal
from store import Store
from tests.fakeslack import validate_blocks, validate_view
from tests.slack.harness import GOOD, block_action, rig, view_submission


def test_the_modal_is_within_block_kit_limits() -> None:
    meta = FormMeta(channel_id="C" * 11, key="k" * 32, change_id=123456, message_ts="1.000001")
    view = change_modal(
        today=date(2026, 11, 27),
        tiers=tier_options(default_plan()),
        meta=meta,
        prefill="x" * 400,
    )
    assert validate_view(view) == []
    assert [b["block_id"] for b in view["blocks"]] == [
        "date",
        "change",
        "reason",
        "impact",
        "cost_change",
        "tier",
    ]
    assert len(view["blocks"][1]["element"]["initial_value"]) == 150
    options = view["blocks"][5]["element"]["options"]
    assert [o["value"] for o in options] == ["0", "1", "2", "3"]


async def test_log_opens_the_modal_prefilled_with_today_in_the_team_zone() -> None:
    async with rig() as r:
        status, _ = await r.slash("log Added 2nd API container")
        assert status == 200
        [view] = await r.fake.wait_for(lambda: r.fake.views_for("U1"), timeout=5)
        blocks = view.view["blocks"]
        assert blocks[0]["element"]["initial_date"] == "2026-11-27"
        assert blocks[1]["element"]["initial_value"] == "Added 2nd API container"
        assert json.loads(view.view["private_metadata"])["c"] == "C1"


async def test_a_submission_is_stored_and_confirmed_in_the_channel() -> None:
    async with rig() as r:
        status, body = await r.post_json(view_submission(GOOD))
        assert status == 200 and body in ("", {})
        [change] = r.deps.store.changes.latest()
        assert change.cost_change == Decimal("-12.50") and change.tier == 2
        assert change.channel_id == "C1" and change.recorded_by == "U1"
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        assert validate_blocks(message.blocks) == []
        assert "Added PgBouncer" in json.dumps(message.blocks)
        assert "-$12.50" in json.dumps(message.blocks)
        actions = [
            e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
        ]
        assert actions == [EDIT_ACTION, DELETE_ACTION]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("date", "2030-01-01", "more than a year ahead"),
        ("change", "", "Say what changed"),
        ("change", "x" * 151, "150 characters"),
        ("reason", "", "Say why"),
        ("cost_change", "lots", "not a monthly amount"),
        # Once read as -$2,550/mo: the form, like every front end, uses the number grammar.
        ("cost_change", "-25,50", "`-25,50` is ambiguous: write -25.50 or -2,550."),
        ("tier", "7", "no tier"),
        ("tier", "²", "write `2`"),
    ],
)
async def test_each_invalid_field_is_answered_with_its_error(
    field: str, value: str, words: str
) -> None:
    async with rig() as r:
        status, body = await r.post_json(view_submission({**GOOD, field: value}))
        assert status == 200
        assert body["response_action"] == "errors"
        assert list(body["errors"]) == [field]
        assert words in body["errors"][field]
        assert r.deps.store.changes.count() == 0


async def test_the_same_submission_delivered_twice_gives_one_entry() -> None:
    async with rig() as r:
        body = view_submission(GOOD)
        now = int(time.time())
        # Delivered again (signed anew, as a retry would be): stored once. Sent again
        # byte for byte (same signature): a replay, refused.
        first, second = await asyncio.gather(r.post_json(body, now), r.post_json(body, now - 1))
        again = await r.post_json(body, now - 2)
        replay = await r.post_json(body, now)
        assert first[0] == second[0] == again[0] == 200
        assert replay[0] == 401
        assert r.deps.store.changes.count() == 1
        await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        await asyncio.sleep(0.2)
        assert len(r.fake.messages_in("C1")) == 1  # one confirmation too


async def test_two_hundred_submissions_at_once_give_two_hundred_entries(tmp_path: Path) -> None:
    async with rig(store=Store(tmp_path / "c.db")) as r:
        bodies = [
            view_submission({**GOOD, "change": f"Change {i}"}, view_id=f"V{i}") for i in range(200)
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(r.post_json(b) for b in bodies)), timeout=60
        )
        assert all(status == 200 for status, _ in results)
        assert r.deps.store.changes.count() == 200
        await r.fake.wait_for(lambda: len(r.fake.messages_in("C1")) == 200, timeout=30)


async def test_a_non_planner_submission_is_refused_and_stores_nothing() -> None:
    async with rig(planners=frozenset({"UPLAN"})) as r:
        _status, body = await r.post_json(view_submission(GOOD, user="USTRANGER"))
        assert body["response_action"] == "errors"
        assert "planners" in body["errors"]["change"]
        assert r.deps.store.changes.count() == 0


async def test_log_by_a_non_planner_is_refused_ephemerally_without_a_modal() -> None:
    async with rig(planners=frozenset({"UPLAN"})) as r:
        status, body = await r.slash("log something", user="USTRANGER")
        assert status == 200 and "planners" in json.dumps(body)
        await asyncio.sleep(0.1)
        assert r.fake.views_for("USTRANGER") == []


async def test_confirmation_falls_back_to_a_dm_when_the_channel_refuses() -> None:
    async with rig(channels={"C1": "general", "UPLAN": "dm"}) as r:
        meta = '{"c":"CPRIVATE","k":"k"}'
        status, _ = await r.post_json(view_submission(GOOD, user="UPLAN", private_metadata=meta))
        assert status == 200
        [dm] = await r.fake.wait_for(lambda: r.fake.messages_in("UPLAN"), timeout=5)
        assert "Added PgBouncer" in (dm.text or "")


async def test_edit_reopens_the_modal_filled_in_and_saves_an_edit() -> None:
    async with rig() as r:
        await r.post_json(view_submission(GOOD))
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        await r.post_json(block_action(EDIT_ACTION, "1", ts=message.ts))
        [view] = await r.fake.wait_for(lambda: list(r.fake.views.values()), timeout=5)
        blocks = view.view["blocks"]
        assert blocks[1]["element"]["initial_value"] == "Added PgBouncer"
        assert blocks[4]["element"]["initial_value"] == "-12.50"
        assert blocks[5]["element"]["initial_option"]["value"] == "2"
        meta = view.view["private_metadata"]
        status, _ = await r.post_json(
            view_submission(
                {**GOOD, "change": "Added PgBouncer (pool 50)"},
                view_id=view.id,
                private_metadata=meta,
            )
        )
        assert status == 200
        assert r.deps.store.changes.count() == 1
        assert r.deps.store.changes.get(1).change == "Added PgBouncer (pool 50)"  # type: ignore[union-attr]
        await r.fake.wait_for(lambda: r.fake.message("C1", message.ts).edits, timeout=5)  # type: ignore[union-attr]
        assert "pool 50" in json.dumps(r.fake.message("C1", message.ts).blocks)  # type: ignore[union-attr]


async def test_delete_soft_deletes_and_updates_the_message() -> None:
    async with rig() as r:
        await r.post_json(view_submission(GOOD))
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        status, _ = await r.post_json(block_action(DELETE_ACTION, "1", ts=message.ts))
        assert status == 200
        await r.fake.wait_for(lambda: r.fake.message("C1", message.ts).edits, timeout=5)  # type: ignore[union-attr]
        assert r.deps.store.changes.count() == 0
        assert "Deleted by" in json.dumps(r.fake.message("C1", message.ts).blocks)  # type: ignore[union-attr]
        assert [e.action for e in r.deps.store.changes.history(1)] == ["delete", "add"]


async def test_delete_by_a_non_planner_is_refused_ephemerally() -> None:
    async with rig(planners=frozenset({"U1"})) as r:
        await r.post_json(view_submission(GOOD, user="U1"))
        url = r.fake.new_response_url(channel="C1")
        await r.post_json(block_action(DELETE_ACTION, "1", user="USTRANGER", response_url=url))
        [answer] = await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        assert answer.response_type == "ephemeral" and not answer.replace_original
        assert "planners" in (answer.text or "")
        assert r.deps.store.changes.count() == 1


async def test_more_shows_the_next_page() -> None:
    async with rig() as r:
        for i in range(12):
            await r.post_json(view_submission({**GOOD, "change": f"Change {i}"}, view_id=f"V{i}"))
        url = r.fake.new_response_url(channel="C1")
        await r.post_json(block_action("changes_more", "changes 10 offset 10", response_url=url))
        [page] = await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        assert validate_blocks(page.blocks) == []
        text = json.dumps(page.blocks)
        assert "Change 1" in text and "Change 0" in text and "Change 5" not in text


async def test_export_uploads_markdown_and_csv() -> None:
    async with rig() as r:
        await r.post_json(view_submission(GOOD))
        await r.slash("changes export")
        files = await r.fake.wait_for(
            lambda: [f for f in r.fake.files.values() if f.completed], timeout=10
        )
        assert sorted(f.name for f in files) == ["change-log.csv", "change-log.md"]


async def test_a_form_that_breaks_is_answered_with_an_apology_view_and_stores_nothing() -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk on fire")

    async with rig() as r:
        r.deps.store.changes.add = broken  # type: ignore[method-assign]
        status, body = await r.post_json(view_submission(GOOD))
        assert status == 200
        assert body["response_action"] == "update"
        assert validate_view(body["view"]) == []
        shown = json.dumps(body["view"])
        assert "Reference" in shown and "disk on fire" not in shown
        assert "Traceback" not in shown


async def test_a_failed_confirmation_closes_the_form_cleanly_and_stores_the_entry_once() -> None:
    async with rig() as r:
        # The channel post and the DM fallback both fail after the entry is stored.
        r.fake.fail_next("chat.postMessage", error="fatal_error", times=10)
        status, body = await r.post_json(view_submission(GOOD))
        assert status == 200 and body in ("", {})  # closed; no apology view, no "try again"
        assert r.deps.store.changes.count() == 1
        # The person is told the entry is saved (not asked to submit again).
        [notice] = await r.fake.wait_for(lambda: r.fake.ephemerals_in("C1", "U1"), timeout=5)
        assert "#1" in (notice.text or "") and "saved" in (notice.text or "")
        assert "try again" not in json.dumps(notice.blocks or []) + (notice.text or "")
        # Slack re-delivering the same submission still stores nothing more.
        await r.post_json(view_submission(GOOD))
        assert r.deps.store.changes.count() == 1


async def test_a_resubmission_of_a_stored_entry_still_gets_its_one_confirmation() -> None:
    async with rig() as r:
        r.fake.fail_next("chat.postMessage", error="fatal_error", times=2)  # channel and DM
        now = int(time.time())
        assert (await r.post_json(view_submission(GOOD), now))[0] == 200
        await r.fake.wait_for(lambda: r.fake.ephemerals_in("C1", "U1"), timeout=5)
        assert r.fake.messages_in("C1") == []
        assert r.deps.store.outbox.counts() == {"queued": 1}  # kept for the worker
        # The person submits again: the entry is not stored twice, and it is confirmed.
        assert (await r.post_json(view_submission(GOOD), now - 1))[0] == 200
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        assert "Change #1 logged" in json.dumps(message.blocks)
        assert r.deps.store.changes.count() == 1
        # And once only, however often it comes again.
        assert (await r.post_json(view_submission(GOOD), now - 2))[0] == 200
        await asyncio.sleep(0.2)
        assert len(r.fake.messages_in("C1")) == 1
        assert r.deps.store.outbox.counts() == {"sent": 1}


async def test_a_rate_limited_confirmation_does_not_hold_up_the_forms_answer() -> None:
    async with rig() as r:
        r.fake.fail_next("chat.postMessage", retry_after=2)  # 429, Retry-After: 2
        started = time.monotonic()
        status, body = await r.post_json(view_submission(GOOD))
        elapsed = time.monotonic() - started
        assert status == 200 and body in ("", {})
        # Answered before the client even retried the post (it waits out Retry-After first).
        assert r.fake.calls_to("chat.postMessage", ok=True) == []
        assert elapsed < 1.5
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=10)
        assert "Added PgBouncer" in (message.text or "")
        assert r.deps.store.changes.count() == 1


async def test_the_more_page_renders_like_the_first_page() -> None:
    async with rig() as r:
        for i in range(12):
            await r.post_json(view_submission({**GOOD, "change": f"Change {i}"}, view_id=f"V{i}"))
        url = r.fake.new_response_url(channel="C1")
        await r.post_json(block_action("changes_more", "changes 10 offset 10", response_url=url))
        [page] = await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        ctx = r.deps.context(user_id="U1", channel_id="C1")
        expected = render_message(build_router().dispatch("changes 10 offset 10", ctx))
        assert page.blocks == expected["blocks"]


async def test_a_failed_update_after_delete_says_it_is_deleted_without_try_again() -> None:
    async with rig() as r:
        await r.post_json(view_submission(GOOD))
        [message] = await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        r.fake.fail_next("chat.update", error="fatal_error")
        url = r.fake.new_response_url(channel="C1")
        status, body = await r.post_json(
            block_action(DELETE_ACTION, "1", ts=message.ts, response_url=url)
        )
        assert status == 200 and body in ("", {})
        assert r.deps.store.changes.count() == 0
        [answer] = await r.fake.wait_for(lambda: r.fake.responses(url), timeout=5)
        assert "#1" in (answer.text or "") and "deleted" in (answer.text or "")
        assert "try again" not in json.dumps(answer.blocks or []).lower()


async def test_the_confirmation_names_who_logged_it_as_a_mention() -> None:
    # A real Slack user id (`U` + capitals/digits, 9 or more): a mention, which Slack shows
    # as the person's name. The harness's short `U1` is not that form, and the fake (like
    # Slack) refuses `<@U1>`, so it stays plain text there.
    async with rig() as r:
        status, _ = await r.post_json(view_submission(GOOD, user="U024BE7LH"))
        assert status == 200
        await r.fake.wait_for(lambda: r.fake.messages_in("C1"), timeout=5)
        posted = json.dumps(r.fake.messages_in("C1")[0].blocks)
        assert "*By*\\n<@U024BE7LH>" in posted
