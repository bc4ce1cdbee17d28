"""The built tier as planners recorded it, and which tiers the channel has been told about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils import Migrations

from store.db import Repository
from store.tx import atomic

__all__ = ["MIGRATIONS", "BuiltRecord", "TierStore"]

MIGRATIONS = Migrations("tiers")


@MIGRATIONS()
def m001_built_tiers(db: sqlite_utils.Database) -> None:
    # Every `/capacity built N`, newest wins: the history says who moved it and when.
    db.execute(
        "CREATE TABLE IF NOT EXISTS built_tiers ("
        " id INTEGER PRIMARY KEY, tier INTEGER NOT NULL, by TEXT NOT NULL, at REAL NOT NULL)"
    )
    # Last value announced in the channel per mark ("built"), so a change is said once.
    db.execute(
        "CREATE TABLE IF NOT EXISTS tier_marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
    )


@dataclass(frozen=True)
class BuiltRecord:
    tier: int
    by: str
    at: datetime


class TierStore(Repository):
    def record_built(self, tier: int, by: str, at: datetime) -> BuiltRecord:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "INSERT INTO built_tiers (tier, by, at) VALUES (?, ?, ?)",
                [tier, by, at.timestamp()],
            )
        return BuiltRecord(tier, by, at)

    def built(self) -> BuiltRecord | None:
        """The newest recorded built tier; None when nobody recorded one (the plan's holds)."""
        row = self.db.execute(
            "SELECT tier, by, at FROM built_tiers ORDER BY at DESC, id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return BuiltRecord(int(row[0]), row[1], datetime.fromtimestamp(row[2], UTC))

    def built_tier(self) -> int | None:
        record = self.built()
        return None if record is None else record.tier

    def mark(self, name: str) -> int | None:
        row = self.db.execute("SELECT value FROM tier_marks WHERE name = ?", [name]).fetchone()
        return None if row is None else int(row[0])

    def set_mark(self, name: str, value: int) -> None:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "INSERT OR REPLACE INTO tier_marks (name, value) VALUES (?, ?)", [name, value]
            )
