"""Bills as imported: each file, and its cost lines, restated or added whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.bills import CostLine
from store.db import Repository
from store.tx import atomic

__all__ = ["MIGRATIONS", "OPENCOST", "RESTATED", "CostImport", "CostStore", "CostSum"]

MIGRATIONS = Migrations("costs")

# Sources whose each import restates what it covers: a FOCUS export (billing account and
# period) and an OpenCost pull (its day).
RESTATED = ("focus", "opencost")
# OpenCost's lines carry this account; a day a bill covers is the bill's (bills win).
OPENCOST = "opencost"


@MIGRATIONS()
def m001_costs(db: sqlite_utils.Database) -> None:
    # One row per file imported; `digest` (sha256 of its bytes) makes a plain CSV imported
    # twice add nothing.
    db.execute(
        "CREATE TABLE IF NOT EXISTS cost_imports ("
        " id INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
        " digest TEXT NOT NULL, lines INTEGER NOT NULL, total REAL NOT NULL,"
        " replaced INTEGER NOT NULL DEFAULT 0)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS cost_imports_digest ON cost_imports (digest)")
    # start/end in unix seconds; a `whole` line counts entirely at `start`, any other is
    # spread pro rata over [start, end). account + period: what a FOCUS export restates.
    db.execute(
        "CREATE TABLE IF NOT EXISTS cost_lines ("
        " id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL REFERENCES cost_imports(id),"
        " start REAL NOT NULL, end REAL NOT NULL, whole INTEGER NOT NULL, amount REAL NOT NULL,"
        " category TEXT NOT NULL, line INTEGER NOT NULL, account TEXT NOT NULL,"
        " period TEXT NOT NULL, provider TEXT NOT NULL, service TEXT NOT NULL,"
        " service_category TEXT NOT NULL, resource TEXT NOT NULL, tags TEXT NOT NULL,"
        " vendor TEXT NOT NULL, component TEXT NOT NULL, note TEXT NOT NULL,"
        " correction INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS cost_lines_start ON cost_lines (start)")
    db.execute("CREATE INDEX IF NOT EXISTS cost_lines_restated ON cost_lines (account, period)")


@dataclass(frozen=True)
class CostImport:
    """What one import did. `duplicate`: the same plain file was imported before (at `at`)."""

    id: int
    kind: str
    lines: int
    total: float
    replaced: int
    at: datetime
    duplicate: bool = False


@dataclass(frozen=True)
class CostSum:
    """The cost of one kind of line over a window: its fields, and whether it was whole."""

    provider: str
    service: str
    service_category: str
    resource: str
    tags: str
    vendor: str
    component: str
    whole: bool
    amount: float


_COLUMNS = "import_id, " + ", ".join(CostLine._fields)
# An OpenCost line for a day that some bill's spread line also covers: the bill counts.
_BILLED_DAY = (
    f"(o.account = '{OPENCOST}' AND EXISTS (SELECT 1 FROM cost_lines b"
    f" WHERE b.account != '{OPENCOST}' AND b.whole = 0 AND b.start < o.end AND b.end > o.start))"
)


class CostStore(Repository):
    def import_bill(
        self, kind: str, lines: Sequence[CostLine], name: str, digest: str, now: datetime
    ) -> CostImport:
        """Store a whole file in one transaction.

        FOCUS: the file's rows for each billing account and billing period replace what
        earlier imports held for that account and period (providers restate the month so
        far), so the same or a newer export never counts twice. Plain: the same file
        (by digest) again adds nothing; two identical lines in one file are two charges.
        """
        conn = self.db.conn
        with atomic(conn):
            if kind == "plain":
                row = conn.execute(
                    "SELECT id, at, lines, total FROM cost_imports"
                    " WHERE digest = ? AND kind = 'plain' ORDER BY id LIMIT 1",
                    [digest],
                ).fetchone()
                if row is not None:
                    at = datetime.fromtimestamp(row[1], UTC)
                    return CostImport(row[0], kind, row[2], row[3], 0, at, duplicate=True)
            replaced = 0
            if kind in RESTATED:
                for account, period in sorted({(x.account, x.period) for x in lines}):
                    replaced += conn.execute(
                        "DELETE FROM cost_lines WHERE account = ? AND period = ?"
                        " AND import_id IN (SELECT id FROM cost_imports WHERE kind = ?)",
                        [account, period, kind],
                    ).rowcount
            total = sum(x.amount for x in lines)
            cursor = conn.execute(
                "INSERT INTO cost_imports (at, kind, name, digest, lines, total, replaced)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [now.timestamp(), kind, name[:200], digest, len(lines), total, replaced],
            )
            import_id = cursor.lastrowid
            conn.executemany(
                f"INSERT INTO cost_lines ({_COLUMNS}) VALUES"
                f" ({', '.join('?' * (len(CostLine._fields) + 1))})",
                # As they stand: the columns are CostLine's fields in order.
                ((import_id, *x) for x in lines),
            )
        assert import_id is not None
        return CostImport(import_id, kind, len(lines), total, replaced, now)

    def sums(self, start: datetime, end: datetime) -> list[CostSum]:
        """Cost per kind of line in [start, end): whole lines that start in it, and the
        share of each spread line's charge period that falls in it."""
        a, b = start.timestamp(), end.timestamp()
        rows = self.db.execute(
            "SELECT provider, service, service_category, resource, tags, vendor, component,"
            " whole, SUM(CASE WHEN whole = 1 THEN amount"
            "   ELSE amount * (MIN(end, :b) - MAX(start, :a)) / (end - start) END)"
            " FROM cost_lines o"
            " WHERE ((whole = 1 AND start >= :a AND start < :b)"
            "    OR (whole = 0 AND start < :b AND end > :a))"
            f" AND NOT {_BILLED_DAY}"
            " GROUP BY provider, service, service_category, resource, tags, vendor,"
            "  component, whole",
            {"a": a, "b": b},
        ).fetchall()
        return [
            CostSum(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), float(r[8])) for r in rows
        ]

    def covered_until(self, start: datetime, end: datetime) -> datetime | None:
        """How far into [start, end) the bills reach: the latest end of a spread line (or
        start of a whole one) in it; None when no bill line falls in it."""
        a, b = start.timestamp(), end.timestamp()
        row = self.db.execute(
            "SELECT MAX(CASE WHEN whole = 1 THEN start ELSE MIN(end, :b) END) FROM cost_lines"
            " WHERE (whole = 1 AND start >= :a AND start < :b)"
            "    OR (whole = 0 AND start < :b AND end > :a)",
            {"a": a, "b": b},
        ).fetchone()
        return None if row[0] is None else datetime.fromtimestamp(row[0], UTC)

    def spread_until(self, start: datetime, end: datetime) -> datetime | None:
        """The latest end of a spread (run-rate) line in [start, end)."""
        a, b = start.timestamp(), end.timestamp()
        row = self.db.execute(
            "SELECT MAX(MIN(end, :b)) FROM cost_lines WHERE whole = 0 AND start < :b AND end > :a",
            {"a": a, "b": b},
        ).fetchone()
        return None if row[0] is None else datetime.fromtimestamp(row[0], UTC)

    def imports(self, limit: int = 10) -> list[CostImport]:
        rows = self.db.execute(
            "SELECT id, kind, lines, total, replaced, at FROM cost_imports"
            " ORDER BY id DESC LIMIT ?",
            [limit],
        ).fetchall()
        return [
            CostImport(r[0], r[1], r[2], r[3], r[4], datetime.fromtimestamp(r[5], UTC))
            for r in rows
        ]

    def opencost_total(self, start: datetime, end: datetime) -> float:
        """What of [start, end) OpenCost's allocation supplies (days no bill covers)."""
        a, b = start.timestamp(), end.timestamp()
        row = self.db.execute(
            "SELECT SUM(amount * (MIN(end, :b) - MAX(start, :a)) / (end - start))"
            " FROM cost_lines o WHERE account = :oc AND whole = 0 AND start < :b AND end > :a"
            f" AND NOT {_BILLED_DAY}",
            {"a": a, "b": b, "oc": OPENCOST},
        ).fetchone()
        return float(row[0] or 0.0)
