"""Which digest periods were claimed and posted: one row per period, UNIQUE by key.

`claim` is the exactly-once gate: an `INSERT OR IGNORE` on the primary key, so of any
number of schedulers, restarts or processes sharing the file exactly one gets True.
A claim whose holder died before posting can be taken over after `lease`, or at once when
the caller can tell its holder (`owner`) is gone; a holder whose post failed calls
`release` so a retry may claim again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.delivery import DigestRecord
from store.db import Repository
from store.tx import atomic

__all__ = ["DEFAULT_LEASE", "MIGRATIONS", "DigestRecord", "DigestStore"]

MIGRATIONS = Migrations("capacity-bot.digests")
DEFAULT_LEASE = timedelta(minutes=15)


@MIGRATIONS()
def m001_digests(db: sqlite_utils.Database) -> None:
    # if_not_exists: two processes opening a fresh file at once may both migrate.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS digests (
            period TEXT PRIMARY KEY,
            claimed_at TEXT NOT NULL,
            posted_at TEXT,
            channel TEXT,
            ts TEXT
        )
        """
    )


@MIGRATIONS()
def m002_owner(db: sqlite_utils.Database) -> None:
    # Which process holds an unposted claim (`host:pid:start`), so a claim left behind by a
    # process that died can be taken again before its lease runs out. NULL: before owners.
    if "owner" not in db["digests"].columns_dict:
        db.execute("ALTER TABLE digests ADD COLUMN owner TEXT")


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat()


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class DigestStore(Repository):
    def claim(
        self,
        period: str,
        now: datetime,
        lease: timedelta = DEFAULT_LEASE,
        *,
        owner: str | None = None,
        gone: Callable[[str], bool] | None = None,
    ) -> bool:
        """True for exactly one caller per period (until it posts, or its lease runs out, or
        `gone(owner)` says the process that holds it has ended)."""
        with atomic(self.db.conn):
            cur = self.db.execute(
                "INSERT OR IGNORE INTO digests (period, claimed_at, owner) VALUES (?, ?, ?)",
                [period, _iso(now), owner],
            )
            if cur.rowcount == 1:
                return True
            row = self.db.execute(
                "SELECT claimed_at, owner FROM digests WHERE period = ? AND posted_at IS NULL",
                [period],
            ).fetchone()
            if row is None:
                return False
            claimed_at, holder = row
            # ISO-8601 UTC strings of one format compare in time order.
            expired = claimed_at <= _iso(now - lease)
            if not expired and not (holder and gone is not None and gone(holder)):
                return False
            cur = self.db.execute(
                "UPDATE digests SET claimed_at = ?, owner = ? "
                "WHERE period = ? AND posted_at IS NULL AND claimed_at = ? AND owner IS ?",
                [_iso(now), owner, period, claimed_at, holder],
            )
            return cur.rowcount == 1

    def release(self, period: str) -> None:
        """Give up an unposted claim (the post failed) so a retry can claim it."""
        with self.db.conn:
            self.db.execute("DELETE FROM digests WHERE period = ? AND posted_at IS NULL", [period])

    def mark_posted(self, period: str, channel: str, ts: str, now: datetime) -> None:
        with self.db.conn:
            self.db.execute(
                "UPDATE digests SET posted_at = ?, channel = ?, ts = ? WHERE period = ?",
                [_iso(now), channel, ts, period],
            )

    def get(self, period: str) -> DigestRecord | None:
        row = self.db.execute(
            "SELECT period, claimed_at, posted_at, channel, ts FROM digests WHERE period = ?",
            [period],
        ).fetchone()
        if row is None:
            return None
        claimed = _at(row[1])
        assert claimed is not None
        return DigestRecord(row[0], claimed, _at(row[2]), row[3], row[4])

    def last_posted(self) -> str | None:
        """The period of the newest posted digest, None before the first."""
        row = self.db.execute(
            "SELECT period FROM digests WHERE posted_at IS NOT NULL "
            "ORDER BY posted_at DESC, period DESC LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def last_posted_at(self) -> datetime | None:
        """When the newest digest was posted, None before the first."""
        row = self.db.execute("SELECT max(posted_at) FROM digests").fetchone()
        return None if row is None else _at(row[0])
