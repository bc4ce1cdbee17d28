"""`log` and `changes` through the router: effects, paging, search, since, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.commands import build_router
from bot.commands.change_form import (
    confirmation,
    delete_request,
    edit_request,
    saved_notice,
    submit_change_form,
)
from bot.commands.changes import (
    MORE_ACTION,
    ExportChanges,
    OpenChangeModal,
    PostConfirmation,
    prepare_export,
    recent_changes_section,
)
from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.changes import ChangeDraft
from bot.planio.planfile import default_plan
from bot.render.text import render_text
from bot.reply import Reply, Table, Text
from store import Store

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
ROUTER = build_router()


@pytest.fixture
def deps() -> Iterator[Deps]:
    d = Deps(
        Settings(planners=frozenset({"UPLAN"})),
        default_plan(),
        lambda: NOW,
        Store(":memory:"),
    )
    yield d
    d.close()


def ask(deps: Deps, text: str, user: str = "UPLAN") -> Reply:
    return ROUTER.dispatch(text, deps.context(user_id=user, channel_id="C1"))


def fill(deps: Deps, n: int) -> None:
    for i in range(n):
        deps.store.changes.add(
            ChangeDraft(
                date=date(2025, 1, 1) + timedelta(days=i),
                change=f"Change {i}",
                reason="pgbouncer pool" if i % 7 == 0 else "because",
            ),
            "U1",
            "C1",
            f"k{i}",
            NOW,
        )


def test_log_asks_the_front_end_to_open_the_form_with_the_text(deps: Deps) -> None:
    reply = ask(deps, "log Added 2nd API container")
    assert reply.effect == OpenChangeModal(prefill="Added 2nd API container")
    assert not reply.error


def test_log_by_a_non_planner_is_refused_and_opens_nothing(deps: Deps) -> None:
    reply = ask(deps, "log x", user="USTRANGER")
    assert reply.error and reply.effect is None
    assert "planners" in render_text(reply)


def test_delete_by_a_non_planner_is_refused(deps: Deps) -> None:
    fill(deps, 1)
    assert ask(deps, "changes delete 1", user="USTRANGER").error
    assert deps.store.changes.count() == 1
    assert not ask(deps, "changes delete 1").error
    assert deps.store.changes.count() == 0
    assert not ask(deps, "changes restore 1").error


def test_changes_shows_ten_newest_with_a_more_action_carrying_the_offset(deps: Deps) -> None:
    fill(deps, 25)
    reply = ask(deps, "changes")
    table = next(p for p in reply.parts if isinstance(p, Table))
    assert [r[2] for r in table.rows][:2] == ["Change 24", "Change 23"]
    assert len(table.rows) == 10
    [more] = reply.actions
    assert more.action_id == MORE_ACTION and more.value == "changes 10 offset 10"
    page2 = ask(deps, more.value)
    assert next(p for p in page2.parts if isinstance(p, Table)).rows[0][2] == "Change 14"
    last = ask(deps, "changes 10 offset 20")
    assert len(next(p for p in last.parts if isinstance(p, Table)).rows) == 5
    assert last.actions == ()


def test_changes_n_shows_n(deps: Deps) -> None:
    fill(deps, 30)
    reply = ask(deps, "changes 25")
    assert len(next(p for p in reply.parts if isinstance(p, Table)).rows) == 25


def test_changes_since_a_date(deps: Deps) -> None:
    fill(deps, 10)
    text = render_text(ask(deps, "changes since 2025-01-08"))
    assert "Change 7" in text and "Change 9" in text and "Change 6" not in text


def test_changes_search(deps: Deps) -> None:
    fill(deps, 15)
    text = render_text(ask(deps, "changes search pgbouncer"))
    assert "Change 0" in text and "Change 7" in text and "Change 14" in text
    assert "Change 1 " not in text


def test_changes_export_answers_without_reading_or_formatting_the_log(deps: Deps) -> None:
    fill(deps, 2)

    def unread(*args: object, **kwargs: object) -> object:
        raise AssertionError("the answer must not read the whole log")

    deps.store.changes.all = unread  # type: ignore[method-assign]
    reply = ask(deps, "changes export")
    assert reply.effect == ExportChanges()  # only the request
    assert "2 entries" in render_text(reply)


async def test_prepare_export_builds_markdown_and_csv(deps: Deps) -> None:
    fill(deps, 2)
    files = await prepare_export(deps.context(user_id="UPLAN", channel_id="C1"))
    assert files.count == 2
    assert files.markdown.startswith("| Date | Change | Reason | Impact |")
    assert files.csv.startswith("id,date,change")
    assert (files.markdown_name, files.csv_name) == ("change-log.md", "change-log.csv")


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("changes since yesterday", "changes since 2025-09-01"),
        ("changes 0", "changes 25"),
        ("changes 5000", "changes 25"),
        ("changes search", "changes search pgbouncer"),
        ("changes banana", "changes since 2025-09-01"),
        ("changes delete x", "changes delete 3"),
    ],
)
def test_bad_changes_input_says_what_was_wrong_with_an_example(
    deps: Deps, text: str, example: str
) -> None:
    reply = ask(deps, text)
    assert reply.error
    assert f"Try: `{example}`" in render_text(reply)


def test_empty_log_says_how_to_log(deps: Deps) -> None:
    assert "Log one with `log`." in render_text(ask(deps, "changes"))


def test_recent_changes_section_has_the_five_latest(deps: Deps) -> None:
    assert isinstance(recent_changes_section(deps.store), Text)
    fill(deps, 8)
    section = recent_changes_section(deps.store)
    assert isinstance(section, Table)
    assert [r[1] for r in section.rows] == [f"Change {i}" for i in (7, 6, 5, 4, 3)]


def test_changes_since_shows_the_newest_first_with_the_total_and_more(deps: Deps) -> None:
    fill(deps, 30)  # dated 2025-01-01 .. 2025-01-30
    reply = ask(deps, "changes since 2025-01-06")
    text = render_text(reply)
    assert "Showing 10 of 25 since 2025-01-06" in text
    table = next(p for p in reply.parts if isinstance(p, Table))
    assert [row[2] for row in table.rows] == [f"Change {i}" for i in range(29, 19, -1)]
    [more] = reply.actions
    assert (more.action_id, more.value) == (MORE_ACTION, "changes since 2025-01-06 offset 10")
    page = ask(deps, more.value)
    rows = next(p for p in page.parts if isinstance(p, Table)).rows
    assert [row[2] for row in rows] == [f"Change {i}" for i in range(19, 9, -1)]
    assert "Showing 11–20 of 25" in render_text(page)
    last = ask(deps, page.actions[0].value)
    assert "21–25 of 25" in render_text(last) and last.actions == ()


def test_changes_since_counts_past_a_thousand(deps: Deps) -> None:
    for i in range(1234):
        deps.store.changes.add(
            ChangeDraft(date=date(2025, 9, 2), change=f"C{i}", reason="r"), "U1", "C1", f"k{i}", NOW
        )
    text = render_text(ask(deps, "changes since 2025-09-01"))
    assert "Showing 10 of 1,234 since 2025-09-01" in text and "C1233" in text


def test_edit_request_opens_the_form_filled_in_or_says_why_not(deps: Deps) -> None:
    fill(deps, 1)
    ctx = deps.context(user_id="UPLAN", channel_id="C1")
    reply = edit_request(ctx, "1", message_ts="9.9")
    assert isinstance(reply.effect, OpenChangeModal)
    assert reply.effect.change is not None and reply.effect.change.change == "Change 0"
    assert reply.effect.message_ts == "9.9"
    assert edit_request(deps.context(user_id="USTRANGER"), "1").error
    deps.store.changes.soft_delete(1, "UPLAN", NOW)
    gone = edit_request(ctx, "1")
    assert gone.error and gone.effect is None


def test_delete_request_deletes_then_asks_to_replace_the_confirmation(deps: Deps) -> None:
    fill(deps, 1)
    ctx = deps.context(user_id="UPLAN", channel_id="C1")
    refused = delete_request(deps.context(user_id="USTRANGER"), "1", channel_id="C1")
    assert refused.error and deps.store.changes.count() == 1
    reply = delete_request(ctx, "1", channel_id="C1", message_ts="9.9")
    assert deps.store.changes.count() == 0
    assert isinstance(reply.effect, PostConfirmation)
    assert reply.effect.update == ("C1", "9.9") and reply.effect.change.deleted
    again = delete_request(ctx, "1", channel_id="C1", message_ts="9.9")
    assert again.error and again.effect is None


def test_confirmation_posts_new_entries_to_the_channel_then_a_dm_and_updates_edits(
    deps: Deps,
) -> None:
    ctx = deps.context(user_id="UPLAN", channel_id="C1")
    fields = {"date": "2026-11-20", "change": "Added PgBouncer", "reason": "limits"}
    new = submit_change_form(ctx, fields, key="k")
    posted = confirmation(new, user_id="UPLAN", channel_id="C1", message_ts=None)
    assert posted is not None and posted.verb == "logged"
    assert posted.targets == ("C1", "UPLAN") and posted.update is None
    again = submit_change_form(ctx, fields, key="k")  # Slack delivered it twice
    assert confirmation(again, user_id="UPLAN", channel_id="C1", message_ts=None) is None
    edited = submit_change_form(
        ctx, {**fields, "change": "Added PgBouncer 2"}, key="e", change_id=1
    )
    shown = confirmation(edited, user_id="UPLAN", channel_id="C1", message_ts="9.9")
    assert shown is not None and shown.verb == "edited" and shown.update == ("C1", "9.9")


def test_the_saved_notice_never_asks_to_do_it_again(deps: Deps) -> None:
    fill(deps, 1)
    change = deps.store.changes.get(1)
    assert change is not None
    text = render_text(saved_notice(change, "logged", "ab12cd34"))
    assert "#1" in text and "saved" in text and "ab12cd34" in text
    assert "try again" not in text.lower()
