"""Markdown and CSV in and out: the template's table survives a round trip exactly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from bot.domain.changes import ChangeDraft
from bot.domain.plan import Plan
from bot.planio.changelog import (
    import_changes,
    parse_csv,
    parse_markdown_table,
    to_csv,
    to_markdown,
)
from store import Store
from tests.test_shell import run

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def example_table(template: str) -> str:
    """The template's Change Log **Example** table, exactly as written."""
    section = template.split("## Change Log", 1)[1].split("**Example**:", 1)[1]
    match = re.search(r"(\|.*\|\n)+", section)
    assert match
    return match.group(0)


def test_the_templates_example_imports_and_exports_to_the_same_table(
    template: str, plan: Plan, store: Store
) -> None:
    table = example_table(template)
    result = import_changes(parse_markdown_table(table), store.changes, plan, NOW)
    assert result.ok and result.added == 3
    assert to_markdown(store.changes.all()) == table


def test_the_whole_template_imports_only_the_example_rows(
    template: str, plan: Plan, store: Store
) -> None:
    rows = parse_markdown_table(template)
    assert [r.fields["date"] for r in rows] == ["2025-10-10", "2025-09-25", "2025-09-15"]


def test_importing_the_same_file_twice_adds_nothing(
    template: str, plan: Plan, store: Store
) -> None:
    rows = parse_markdown_table(example_table(template))
    assert import_changes(rows, store.changes, plan, NOW).added == 3
    again = import_changes(rows, store.changes, plan, NOW)
    assert (again.added, again.skipped) == (0, 3)
    assert store.changes.count() == 3


def test_csv_round_trip_keeps_every_field(plan: Plan, store: Store) -> None:
    store.changes.add(
        ChangeDraft(
            date=date(2025, 10, 1),
            change='Pooler, "pgbouncer"',
            reason="Line one\nline two",
            impact="| pipes |",
            cost_change=Decimal("-12.50"),
            tier=2,
        ),
        "U7",
        "C9",
        "k1",
        NOW,
    )
    text = to_csv(store.changes.all())
    fresh = Store(":memory:")
    assert import_changes(parse_csv(text), fresh.changes, plan, NOW).added == 1
    [copy] = fresh.changes.all()
    [orig] = store.changes.all()
    assert copy.draft() == orig.draft()
    assert (copy.recorded_by, copy.channel_id) == ("U7", "C9")
    assert to_csv(fresh.changes.all()) == text


def test_markdown_round_trip_escapes_pipes(plan: Plan, store: Store) -> None:
    store.changes.add(
        ChangeDraft(date=date(2025, 10, 1), change="a | b", reason="why"), "U1", None, "k", NOW
    )
    text = to_markdown(store.changes.all())
    fresh = Store(":memory:")
    import_changes(parse_markdown_table(text), fresh.changes, plan, NOW)
    assert to_markdown(fresh.changes.all()) == text
    assert fresh.changes.all()[0].change == "a | b"


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(
    plan: Plan, store: Store
) -> None:
    text = (
        "# Log\n\n| Date | Change | Reason | Impact |\n|---|---|---|---|\n"
        "| 2025-09-01 | Fine | Why | |\n| 2025-13-01 | Bad date | Why | |\n"
        "| 2025-09-02 | | Why | |\n"
    )
    result = import_changes(parse_markdown_table(text), store.changes, plan, NOW)
    assert not result.ok
    assert result.errors[0].startswith("line 6: date:")
    assert result.errors[1].startswith("line 7: change:")
    assert store.changes.count() == 0


def test_cli_import_changes_reports_added_then_skipped(tmp_path: Path, template: str) -> None:
    source = tmp_path / "log.md"
    source.write_text(example_table(template))
    db = str(tmp_path / "c.db")
    first = run("import-changes", str(source), CAPACITY_DB=db)
    assert first.returncode == 0, first.stderr
    assert "3 added, 0 skipped" in first.stdout
    second = run("import-changes", str(source), CAPACITY_DB=db)
    assert "0 added, 3 skipped" in second.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("date,change,reason\n2025-09-01,ok,why\n2025-09-02,ok,\n")
    done = run("import-changes", str(bad), CAPACITY_DB=db)
    assert done.returncode == 1
    assert "line 3: reason:" in done.stderr and "nothing was imported" in done.stderr
