"""Why a route cannot deliver right now (the bot is not in the channel, a refused key).

One row per (route, target) while it fails for a reason a person must fix; the row goes
when a later delivery there succeeds. Shared through the database, so `status` in the
shell sees what the served bot found, and a second process does not log it again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.delivery import DeliveryProblem
from store.db import Repository
from store.tx import atomic

__all__ = ["MIGRATIONS", "DeliveryProblem", "DeliveryStore"]

MIGRATIONS = Migrations("delivery")


@MIGRATIONS()
def m001_delivery_problems(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS delivery_problems ("
        " route TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL,"
        " since REAL NOT NULL, last_seen REAL NOT NULL, PRIMARY KEY (route, target))"
    )


class DeliveryStore(Repository):
    def report(self, route: str, target: str, reason: str, now: datetime) -> bool:
        """Record a failure; True when it is news (no problem, or another reason, before)."""
        with atomic(self.db.conn):
            row = self.db.conn.execute(
                "SELECT reason FROM delivery_problems WHERE route = ? AND target = ?",
                [route, target],
            ).fetchone()
            if row is not None and row[0] == reason:
                self.db.conn.execute(
                    "UPDATE delivery_problems SET last_seen = ? WHERE route = ? AND target = ?",
                    [now.timestamp(), route, target],
                )
                return False
            self.db.conn.execute(
                "INSERT OR REPLACE INTO delivery_problems (route, target, reason, since,"
                " last_seen) VALUES (?, ?, ?, ?, ?)",
                [route, target, reason, now.timestamp(), now.timestamp()],
            )
        return True

    def clear(self, route: str, target: str) -> bool:
        """A delivery there worked; True when that ended a problem."""
        with atomic(self.db.conn):
            cur = self.db.conn.execute(
                "DELETE FROM delivery_problems WHERE route = ? AND target = ?", [route, target]
            )
        return cur.rowcount > 0

    def problems(self) -> list[DeliveryProblem]:
        rows = self.db.execute(
            "SELECT route, target, reason, since, last_seen FROM delivery_problems"
            " ORDER BY route, target"
        ).fetchall()
        return [
            DeliveryProblem(
                r[0],
                r[1],
                r[2],
                datetime.fromtimestamp(r[3], UTC),
                datetime.fromtimestamp(r[4], UTC),
            )
            for r in rows
        ]
