"""The change log's tables and every query over them.

Money is stored as TEXT holding the exact decimal (`-25.50`), never as a float. Each write
is one transaction together with its audit row. Timestamps are passed in (`now`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.changes import AuditEntry, Change, ChangeDraft
from store.db import Repository

__all__ = ["MIGRATIONS", "ChangeStore", "fts_query"]

MIGRATIONS = Migrations("capacity-bot.changes")


@MIGRATIONS()
def m001_changes(db: sqlite_utils.Database) -> None:
    """The first schema: entries and the audit trail."""
    db.execute(
        """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            change TEXT NOT NULL,
            reason TEXT NOT NULL,
            impact TEXT NOT NULL DEFAULT '',
            cost_change TEXT,
            tier INTEGER,
            recorded_by TEXT NOT NULL,
            channel_id TEXT,
            created_at TEXT NOT NULL,
            edited_at TEXT,
            edited_by TEXT,
            deleted_at TEXT,
            deleted_by TEXT
        )
        """
    )
    db.execute("CREATE INDEX changes_by_date ON changes (date DESC, id DESC)")
    db.execute(
        """
        CREATE TABLE change_audit (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            action TEXT NOT NULL,
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX change_audit_by_change ON change_audit (change_id, id)")


@MIGRATIONS()
def m002_idempotency_and_search(db: sqlite_utils.Database) -> None:
    """One row per submission (a UNIQUE key), and full-text search kept current by triggers."""
    db.execute("ALTER TABLE changes ADD COLUMN idempotency_key TEXT")
    # Rows from the first schema had no key; give each its own so the column can be filled.
    db.execute("UPDATE changes SET idempotency_key = 'legacy:' || id WHERE idempotency_key IS NULL")
    db.execute("CREATE UNIQUE INDEX changes_idempotency ON changes (idempotency_key)")
    # Listing skips deleted rows; a partial index keeps `changes` cheap at any size.
    db.execute("DROP INDEX changes_by_date")
    db.execute(
        "CREATE INDEX changes_live_by_date ON changes (date DESC, id DESC) WHERE deleted_at IS NULL"
    )
    db.table("changes").enable_fts(["change", "reason", "impact"], create_triggers=True)


_COLUMNS = (
    "id, date, change, reason, impact, cost_change, tier, recorded_by, channel_id, "
    "created_at, edited_at, edited_by, deleted_at, deleted_by"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User text -> a safe FTS5 query: each word quoted, all required, last one a prefix.

    Quotes, `AND(`, `NEAR`, `*` and friends become plain words, so no input breaks the query.
    """
    words = _WORD.findall(text)[:20]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row(row: Sequence[Any]) -> Change:
    (
        id_,
        day,
        change,
        reason,
        impact,
        cost,
        tier,
        by,
        channel,
        created,
        edited_at,
        edited_by,
        deleted_at,
        deleted_by,
    ) = row
    return Change(
        id=id_,
        date=date.fromisoformat(day),
        change=change,
        reason=reason,
        impact=impact or "",
        cost_change=Decimal(cost) if cost is not None else None,
        tier=tier,
        recorded_by=by,
        channel_id=channel,
        created_at=datetime.fromisoformat(created),
        edited_at=datetime.fromisoformat(edited_at) if edited_at else None,
        edited_by=edited_by,
        deleted_at=datetime.fromisoformat(deleted_at) if deleted_at else None,
        deleted_by=deleted_by,
    )


def _cost(draft: ChangeDraft) -> str | None:
    return str(draft.cost_change) if draft.cost_change is not None else None


def _fields(draft: ChangeDraft) -> list[Any]:
    """The filled-in columns, in the order every statement here lists them."""
    return [
        draft.date.isoformat(),
        draft.change,
        draft.reason,
        draft.impact,
        _cost(draft),
        draft.tier,
    ]


_BATCH = 500


class ChangeStore(Repository):
    """Entries of the change log. Reads skip deleted entries unless asked."""

    # -- writes ------------------------------------------------------------------------------

    def add(
        self,
        draft: ChangeDraft,
        by: str,
        channel: str | None,
        idempotency_key: str,
        now: datetime,
    ) -> tuple[Change, bool]:
        """Store `draft` once per key: the same key again returns the first entry, created=False."""
        with self.db.atomic():
            created = self._insert(draft, by, channel, idempotency_key, now, "add")
            found = self._get_by_key(idempotency_key)
        assert found is not None
        return found, created

    def add_many(
        self, rows: Iterable[tuple[ChangeDraft, str, str | None, str]], now: datetime
    ) -> tuple[int, int]:
        """(draft, by, channel, key) rows in ONE transaction: (added, skipped).

        A row is skipped when its key is known or a live entry already says the same thing
        (so re-importing an export of entries logged in Slack adds nothing either).
        """
        added = skipped = 0
        with self.db.atomic():
            for draft, by, channel, key in rows:
                if self._same_content_exists(draft):
                    skipped += 1
                    continue
                if self._insert(draft, by, channel, key, now, "import"):
                    added += 1
                else:
                    skipped += 1
        return added, skipped

    def _insert(
        self,
        draft: ChangeDraft,
        by: str,
        channel: str | None,
        key: str,
        now: datetime,
        action: str,
    ) -> bool:
        cursor = self.db.execute(
            """
            INSERT OR IGNORE INTO changes
                (date, change, reason, impact, cost_change, tier, recorded_by, channel_id,
                 created_at, idempotency_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                *_fields(draft),
                by,
                channel,
                now.isoformat(),
                key,
            ],
        )
        if cursor.rowcount != 1:
            return False
        self._audit(int(cursor.lastrowid or 0), action, by, now, "")
        return True

    def _same_content_exists(self, draft: ChangeDraft) -> bool:
        row = self.db.execute(
            """
            SELECT 1 FROM changes
            WHERE deleted_at IS NULL AND date = ? AND change = ? AND reason = ? AND impact = ?
              AND cost_change IS ? AND tier IS ?
            LIMIT 1
            """,
            _fields(draft),
        ).fetchone()
        return row is not None

    def edit(self, change_id: int, draft: ChangeDraft, by: str, now: datetime) -> Change | None:
        """Replace the fields of a live entry; None when there is no such live entry."""
        with self.db.atomic():
            before = self.get(change_id)
            if before is None or before.deleted:
                return None
            self.db.execute(
                """
                UPDATE changes SET date = ?, change = ?, reason = ?, impact = ?,
                    cost_change = ?, tier = ?, edited_at = ?, edited_by = ?
                WHERE id = ?
                """,
                [
                    *_fields(draft),
                    now.isoformat(),
                    by,
                    change_id,
                ],
            )
            self._audit(change_id, "edit", by, now, before.draft().model_dump_json())
        return self.get(change_id)

    def soft_delete(self, change_id: int, by: str, now: datetime) -> Change | None:
        """Hide an entry (kept for the audit trail); None when there is no live entry."""
        return self._set_deleted(change_id, by, now, delete=True)

    def restore(self, change_id: int, by: str, now: datetime) -> Change | None:
        return self._set_deleted(change_id, by, now, delete=False)

    def _set_deleted(
        self, change_id: int, by: str, now: datetime, *, delete: bool
    ) -> Change | None:
        with self.db.atomic():
            if delete:
                sql = (
                    "UPDATE changes SET deleted_at = ?, deleted_by = ? "
                    "WHERE id = ? AND deleted_at IS NULL"
                )
                args: list[Any] = [now.isoformat(), by, change_id]
            else:
                sql = (
                    "UPDATE changes SET deleted_at = NULL, deleted_by = NULL "
                    "WHERE id = ? AND deleted_at IS NOT NULL"
                )
                args = [change_id]
            if self.db.execute(sql, args).rowcount != 1:
                return None
            self._audit(change_id, "delete" if delete else "restore", by, now, "")
        return self.get(change_id)

    def _audit(self, change_id: int, action: str, by: str, now: datetime, detail: str) -> None:
        self.db.execute(
            "INSERT INTO change_audit (change_id, action, by, at, detail) VALUES (?, ?, ?, ?, ?)",
            [change_id, action, by, now.isoformat(), detail],
        )

    # -- reads -------------------------------------------------------------------------------

    def _select(self, where: str, args: Sequence[Any], tail: str = "") -> list[Change]:
        sql = f"SELECT {_COLUMNS} FROM changes WHERE {where} {tail}"
        cursor = self.db.execute(sql, list(args))
        found: list[Change] = []
        # In batches: fetchall() of an export's 100,000 rows is one C call that holds the
        # GIL for a quarter of a second, and the event loop's thread waits for it.
        while rows := cursor.fetchmany(_BATCH):
            found.extend(_row(r) for r in rows)
        return found

    def get(self, change_id: int) -> Change | None:
        found = self._select("id = ?", [change_id])
        return found[0] if found else None

    def _get_by_key(self, key: str) -> Change | None:
        found = self._select("idempotency_key = ?", [key])
        return found[0] if found else None

    def latest(self, limit: int = 10, offset: int = 0) -> list[Change]:
        """Newest first (by the change's date, then by when it was logged)."""
        return self._select(
            "deleted_at IS NULL",
            [limit, offset],
            "ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
        )

    def since(self, day: date, limit: int = 1000) -> list[Change]:
        """Entries dated `day` or later, oldest first."""
        return self._select(
            "deleted_at IS NULL AND date >= ?",
            [day.isoformat(), limit],
            "ORDER BY date, id LIMIT ?",
        )

    def since_newest(self, day: date, limit: int = 10, offset: int = 0) -> list[Change]:
        """A page of the entries dated `day` or later, newest first (as `latest`)."""
        return self._select(
            "deleted_at IS NULL AND date >= ?",
            [day.isoformat(), limit, offset],
            "ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
        )

    def count_since(self, day: date) -> int:
        """How many live entries are dated `day` or later."""
        row = self.db.execute(
            "SELECT count(*) FROM changes WHERE deleted_at IS NULL AND date >= ?",
            [day.isoformat()],
        ).fetchone()
        return int(row[0])

    def search(self, text: str, limit: int = 20) -> list[Change]:
        """Entries whose change, reason or impact contain every word of `text` (newest first)."""
        query = fts_query(text)
        if not query:
            return []
        return self._select(
            "deleted_at IS NULL AND id IN "
            "(SELECT rowid FROM changes_fts WHERE changes_fts MATCH ?)",
            [query, limit],
            "ORDER BY date DESC, id DESC LIMIT ?",
        )

    def all(self, *, include_deleted: bool = False) -> list[Change]:
        """Every entry, oldest first (for export)."""
        where = "1 = 1" if include_deleted else "deleted_at IS NULL"
        return self._select(where, [], "ORDER BY date, id")

    def count(self, *, include_deleted: bool = False) -> int:
        where = "" if include_deleted else " WHERE deleted_at IS NULL"
        return int(self.db.execute(f"SELECT count(*) FROM changes{where}").fetchone()[0])

    def history(self, change_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
        """Who did what, newest first; for one entry or for the whole log."""
        where, args = ("WHERE change_id = ?", [change_id]) if change_id is not None else ("", [])
        rows = self.db.execute(
            f"SELECT change_id, action, by, at, detail FROM change_audit {where} "
            "ORDER BY id DESC LIMIT ?",
            [*args, limit],
        ).fetchall()
        return [
            AuditEntry(
                change_id=r[0], action=r[1], by=r[2], at=datetime.fromisoformat(r[3]), detail=r[4]
            )
            for r in rows
        ]

    def previous_version(self, change_id: int) -> ChangeDraft | None:
        """What an entry said before its last edit, from the audit trail."""
        for entry in self.history(change_id):
            if entry.action == "edit" and entry.detail:
                return ChangeDraft.model_validate(json.loads(entry.detail))
        return None
