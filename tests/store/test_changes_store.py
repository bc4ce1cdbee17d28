"""The change log's store: exactly-once adds, edits with an audit trail, search, migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.changes import ChangeDraft
from store import Store
from store.changes import MIGRATIONS, fts_query
from store.db import open_database

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def draft(n: int = 1, **fields: object) -> ChangeDraft:
    values: dict[str, object] = {
        "date": date(2025, 9, 1) + timedelta(days=n),
        "change": f"Change {n}",
        "reason": f"Reason {n}",
        "impact": "",
    }
    values.update(fields)
    return ChangeDraft.model_validate(values)


def test_add_returns_the_entry_with_exact_negative_money(store: Store) -> None:
    change, created = store.changes.add(
        draft(cost_change=Decimal("-25.50"), tier=2), "U1", "C1", "k1", NOW
    )
    assert created
    assert change.cost_change == Decimal("-25.50")
    assert str(change.cost_change) == "-25.50"
    assert change.tier == 2 and change.recorded_by == "U1" and change.channel_id == "C1"
    raw = store.db.execute("select cost_change, typeof(cost_change) from changes").fetchone()
    assert raw == ("-25.50", "text")


def test_the_same_key_twice_stores_one_row(store: Store) -> None:
    first, created = store.changes.add(draft(1), "U1", "C1", "view-1", NOW)
    again, created_again = store.changes.add(draft(2), "U1", "C1", "view-1", NOW)
    assert created and not created_again
    assert again == first
    assert store.changes.count() == 1
    assert [e.action for e in store.changes.history()] == ["add"]


def test_edit_delete_restore_are_audited(store: Store) -> None:
    change, _ = store.changes.add(draft(1), "U1", "C1", "k", NOW)
    later = NOW + timedelta(hours=1)
    edited = store.changes.edit(change.id, draft(1, change="Renamed"), "U2", later)
    assert edited is not None and edited.change == "Renamed" and edited.edited_by == "U2"
    assert store.changes.previous_version(change.id) == draft(1)
    deleted = store.changes.soft_delete(change.id, "U3", later)
    assert deleted is not None and deleted.deleted_by == "U3"
    assert store.changes.latest() == [] and store.changes.count() == 0
    assert store.changes.soft_delete(change.id, "U3", later) is None  # already deleted
    assert store.changes.edit(change.id, draft(1), "U2", later) is None
    assert store.changes.restore(change.id, "U1", later) is not None
    assert [(e.action, e.by) for e in store.changes.history(change.id)] == [
        ("restore", "U1"),
        ("delete", "U3"),
        ("edit", "U2"),
        ("add", "U1"),
    ]


def test_latest_pages_newest_first(store: Store) -> None:
    for n in range(25):
        store.changes.add(draft(n), "U1", None, f"k{n}", NOW)
    first = store.changes.latest(10)
    second = store.changes.latest(10, 10)
    third = store.changes.latest(10, 20)
    assert [c.change for c in first][:2] == ["Change 24", "Change 23"]
    assert len(third) == 5
    ids = [c.id for c in first + second + third]
    assert len(set(ids)) == 25


def test_since_returns_entries_on_and_after_the_date_oldest_first(store: Store) -> None:
    for n in range(10):
        store.changes.add(draft(n), "U1", None, f"k{n}", NOW)
    found = store.changes.since(date(2025, 9, 8))
    assert [c.date for c in found] == [date(2025, 9, d) for d in (8, 9, 10)]


def test_search_finds_words_and_prefixes_and_skips_deleted(store: Store) -> None:
    a, _ = store.changes.add(draft(1, change="Added PgBouncer"), "U1", None, "a", NOW)
    store.changes.add(draft(2, reason="connection limit hit, pgbouncer next"), "U1", None, "b", NOW)
    store.changes.add(draft(3, change="Enabled Redis caching"), "U1", None, "c", NOW)
    assert {c.id for c in store.changes.search("pgbouncer")} == {1, 2}
    assert [c.id for c in store.changes.search("pgboun")] == [2, 1]
    assert [c.id for c in store.changes.search("redis cach")] == [3]
    store.changes.soft_delete(a.id, "U1", NOW)
    assert [c.id for c in store.changes.search("pgbouncer")] == [2]
    # An edit is searchable at once (the FTS triggers follow updates).
    store.changes.edit(3, draft(3, change="Enabled Memcached"), "U1", NOW)
    assert store.changes.search("redis") == []
    assert [c.id for c in store.changes.search("memcached")] == [3]


@pytest.mark.parametrize(
    "text", ['"', "AND(", "pgbouncer OR", "NEAR(a b)", "*", "col:val", "'; drop table x", "^x"]
)
def test_search_never_breaks_on_query_syntax(store: Store, text: str) -> None:
    store.changes.add(draft(1, change="x val pgbouncer drop table"), "U1", None, "a", NOW)
    store.changes.search(text)  # no exception
    assert fts_query('a"b') == '"a" "b"*'


def test_store_on_a_file_keeps_entries_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    first = Store(path)
    first.changes.add(draft(1), "U1", None, "k", NOW)
    first.close()
    again = Store(path)
    assert [c.change for c in again.changes.latest()] == ["Change 1"]
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_migrating_an_empty_file_creates_every_table(tmp_path: Path) -> None:
    s = Store(tmp_path / "new.db")
    assert {"changes", "change_audit", "changes_fts"} <= set(s.db.table_names())
    assert [m.name for m in MIGRATIONS.applied(s.db)] == [
        "m001_changes",
        "m002_idempotency_and_search",
    ]
    s.close()


def test_migrating_twice_is_a_noop(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    Store(path).close()
    s = Store(path)
    MIGRATIONS.apply(s.db)
    assert len(MIGRATIONS.applied(s.db)) == 2
    assert MIGRATIONS.pending(s.db) == []
    s.close()


def test_migrating_from_the_previous_schema_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_database(path)
    MIGRATIONS.apply(db, stop_before="m002_idempotency_and_search")
    db.execute(
        "insert into changes (date, change, reason, impact, cost_change, tier, recorded_by, "
        "created_at) values ('2025-09-15', 'Enabled Redis caching', 'Slow dashboards', "
        "'Reduced to 300ms', '10', 1, 'U1', ?)",
        [NOW.isoformat()],
    )
    db.execute(
        "insert into changes (date, change, reason, recorded_by, created_at) "
        "values ('2025-09-25', 'Raised connections', 'Hit the limit', 'U2', ?)",
        [NOW.isoformat()],
    )
    db.conn.commit()
    db.conn.close()

    s = Store(path)
    kept = s.changes.latest()
    assert [c.change for c in kept] == ["Raised connections", "Enabled Redis caching"]
    assert kept[1].cost_change == Decimal("10")
    # The old rows are searchable and the new idempotency key works beside them.
    assert [c.id for c in s.changes.search("redis")] == [1]
    _, created = s.changes.add(draft(1), "U3", None, "new-key", NOW)
    assert created and s.changes.count() == 3
    s.close()


def test_a_failed_batch_writes_nothing(store: Store) -> None:
    rows = [(draft(1), "U1", None, "a"), (draft(2), "U1", None, "b")]

    class Boom(Exception):
        pass

    def explode() -> Iterator[tuple[ChangeDraft, str, str | None, str]]:
        yield from rows
        raise Boom

    with pytest.raises(Boom):
        store.changes.add_many(explode(), NOW)
    assert store.changes.count() == 0


def test_two_connections_to_one_file_both_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    one, two = Store(path), Store(path)
    one.changes.add(draft(1), "U1", None, "a", NOW)
    two.changes.add(draft(2), "U1", None, "b", NOW)
    two.changes.add(draft(3), "U1", None, "a", NOW)  # one's key: ignored
    assert one.changes.count() == 2 == two.changes.count()
    one.close()
    two.close()
    assert sqlite3.connect(path).execute("select count(*) from changes").fetchone() == (2,)


def test_since_newest_pages_newest_first_and_count_since_counts_them_all(store: Store) -> None:
    for n in range(10):
        store.changes.add(draft(n), "U1", None, f"k{n}", NOW)
    store.changes.soft_delete(10, "U1", NOW)  # dated the 10th: neither listed nor counted
    day = date(2025, 9, 5)
    assert store.changes.count_since(day) == 5
    first = store.changes.since_newest(day, 3)
    rest = store.changes.since_newest(day, 3, 3)
    assert [c.date.day for c in first] == [9, 8, 7]
    assert [c.date.day for c in rest] == [6, 5]
