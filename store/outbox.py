"""A durable outbox: every notification is queued here before anything talks to Slack."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.delivery import OutboxRow, Status
from store.db import Repository
from store.tx import atomic

__all__ = ["MIGRATIONS", "Outbox", "OutboxRow", "Status"]

MIGRATIONS = Migrations("outbox")


@MIGRATIONS()
def m001_outbox(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS outbox ("
        " id INTEGER PRIMARY KEY, dedup_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
        " payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued',"
        " attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,"
        " next_attempt_at REAL NOT NULL, sent_at REAL, channel TEXT, ts TEXT,"
        " step TEXT, last_error TEXT)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at)")
    # Which alerts a firing row announces, so a resolution can wait for its original.
    db.execute(
        "CREATE TABLE IF NOT EXISTS outbox_alerts ("
        " outbox_id INTEGER NOT NULL REFERENCES outbox(id), rule_id TEXT NOT NULL,"
        " fired_at TEXT NOT NULL, PRIMARY KEY (rule_id, fired_at, outbox_id))"
    )


@MIGRATIONS()
def m002_route(db: sqlite_utils.Database) -> None:
    # Rows queued before routes existed were all for Slack, and are still delivered there.
    if "route" not in db["outbox"].columns_dict:
        db.execute("ALTER TABLE outbox ADD COLUMN route TEXT NOT NULL DEFAULT 'slack'")


@MIGRATIONS()
def m003_lease(db: sqlite_utils.Database) -> None:
    # Until when a `sending` row belongs to the process sending it (a request in flight).
    # After that it is stale: its sender died mid-send, and another run may reconcile it.
    # NULL (rows from before leases) counts as stale.
    if "lease_until" not in db["outbox"].columns_dict:
        db.execute("ALTER TABLE outbox ADD COLUMN lease_until REAL")


_COLUMNS = (
    "id, dedup_key, kind, payload, status, attempts, next_attempt_at, channel, ts, step,"
    " last_error, route"
)


def _row(r: tuple[Any, ...]) -> OutboxRow:
    return OutboxRow(r[0], r[1], r[2], r[3], r[4], r[5], datetime.fromtimestamp(r[6], UTC), *r[7:])


class Outbox(Repository):
    def enqueue(
        self,
        dedup_key: str,
        kind: str,
        payload_json: str,
        now: datetime,
        alerts: Iterable[tuple[str, str]] = (),
        route: str = "slack",
    ) -> bool:
        """Queue a notification; False when that dedup_key was queued before (never twice).

        `alerts` are the (rule_id, fired_at) pairs a firing notification announces.
        """
        with atomic(self.db.conn):
            cur = self.db.conn.execute(
                "INSERT OR IGNORE INTO outbox (dedup_key, kind, payload, created_at,"
                " next_attempt_at, route) VALUES (?, ?, ?, ?, ?, ?)",
                [dedup_key, kind, payload_json, now.timestamp(), now.timestamp(), route],
            )
            if cur.rowcount != 1:
                return False
            row_id = cur.lastrowid
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO outbox_alerts (outbox_id, rule_id, fired_at)"
                " VALUES (?, ?, ?)",
                [(row_id, rule_id, fired_at) for rule_id, fired_at in alerts],
            )
        return True

    def claim(self, dedup_key: str, lease_until: datetime) -> OutboxRow | None:
        """Take the queued row with `dedup_key` for a delivery now (it becomes `sending`
        until `lease_until`); None when there is none queued (already sent, or someone else
        is sending it)."""
        with atomic(self.db.conn):
            r = self.db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE dedup_key = ? AND status = 'queued'",
                [dedup_key],
            ).fetchone()
            if r is None:
                return None
            self.db.conn.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
                " lease_until = ? WHERE id = ?",
                [lease_until.timestamp(), r[0]],
            )
        return _row(r)

    def stale_sending(self, now: datetime) -> list[OutboxRow]:
        """Rows `sending` whose lease ran out: their sender stopped mid-send."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'sending'"
            " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id",
            [now.timestamp()],
        ).fetchall()
        return [_row(r) for r in rows]

    def due(self, now: datetime, limit: int = 50) -> list[OutboxRow]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?"
            " ORDER BY id LIMIT ?",
            [now.timestamp(), limit],
        ).fetchall()
        return [_row(r) for r in rows]

    def has(self, dedup_key: str) -> bool:
        """Whether a notification was queued under `dedup_key` (whatever became of it)."""
        row = self.db.execute("SELECT 1 FROM outbox WHERE dedup_key = ?", [dedup_key]).fetchone()
        return row is not None

    def get(self, row_id: int) -> OutboxRow | None:
        r = self.db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", [row_id]).fetchone()
        return None if r is None else _row(r)

    def by_status(self, status: Status) -> list[OutboxRow]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = ? ORDER BY id", [status]
        ).fetchall()
        return [_row(r) for r in rows]

    def announcing(self, rule_id: str, fired_at: str) -> OutboxRow | None:
        """The firing row that announced this alert (any status), if there is one."""
        r = self.db.execute(
            f"SELECT {', '.join('o.' + c for c in _COLUMNS.split(', '))} FROM outbox o"
            " JOIN outbox_alerts a ON o.id = a.outbox_id"
            " WHERE a.rule_id = ? AND a.fired_at = ? AND o.kind = 'firing' ORDER BY o.id LIMIT 1",
            [rule_id, fired_at],
        ).fetchone()
        return None if r is None else _row(r)

    def pending_for_alert(self, rule_id: str, fired_at: str) -> bool:
        """Whether a firing notification for this alert is still waiting to be sent."""
        row = self.db.execute(
            "SELECT 1 FROM outbox_alerts a JOIN outbox o ON o.id = a.outbox_id"
            " WHERE a.rule_id = ? AND a.fired_at = ? AND o.status IN ('queued', 'sending')"
            " LIMIT 1",
            [rule_id, fired_at],
        ).fetchone()
        return row is not None

    def mark_sending(
        self, row_id: int, *, new_attempt: bool = True, lease_until: datetime | None = None
    ) -> bool:
        """Just before a request goes out: the queued row becomes `sending` (until
        `lease_until`); False when it was not queued (another process took it).
        `attempts` counts the requests (it spaces the retries)."""
        lease = None if lease_until is None else lease_until.timestamp()
        with atomic(self.db.conn):
            cur = self.db.conn.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + ?, lease_until = ?"
                " WHERE id = ? AND status = 'queued'",
                [int(new_attempt), lease, row_id],
            )
        return cur.rowcount == 1

    def mark_step(self, row_id: int, step: str, channel: str | None, ts: str | None) -> None:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "UPDATE outbox SET step = ?, channel = coalesce(?, channel), ts = coalesce(?, ts)"
                " WHERE id = ?",
                [step, channel, ts, row_id],
            )

    def mark_sent(self, row_id: int, channel: str, ts: str, now: datetime) -> None:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "UPDATE outbox SET status = 'sent', channel = ?, ts = ?, sent_at = ?,"
                " last_error = NULL WHERE id = ?",
                [channel, ts, now.timestamp(), row_id],
            )

    def mark_failed(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        """Back to the queue for a later attempt (a retryable failure: nothing was posted)."""
        with atomic(self.db.conn):
            self.db.conn.execute(
                "UPDATE outbox SET status = 'queued', last_error = ?, next_attempt_at = ?"
                " WHERE id = ?",
                [error[:500], next_attempt_at.timestamp(), row_id],
            )

    def mark_unknown(self, row_id: int, error: str) -> None:
        """Parked: Slack may have posted it; a human decides (see deliver.py)."""
        with atomic(self.db.conn):
            self.db.conn.execute(
                "UPDATE outbox SET status = 'unknown', last_error = ? WHERE id = ?",
                [error[:500], row_id],
            )

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        return {r[0]: r[1] for r in rows}

    def oldest_waiting(self) -> datetime | None:
        """When the oldest row not yet delivered (queued or sending) was queued."""
        row = self.db.execute(
            "SELECT min(created_at) FROM outbox WHERE status IN ('queued', 'sending')"
        ).fetchone()
        return None if row is None or row[0] is None else datetime.fromtimestamp(row[0], UTC)
