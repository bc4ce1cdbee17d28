"""Alert states between evaluations, silences, and the Slack message of each alert."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.domain.monitoring import AlertMessage, AlertState, Silence
from store.db import Repository
from store.tx import atomic

__all__ = ["MIGRATIONS", "AlertMessage", "AlertStore", "Silence"]

MIGRATIONS = Migrations("alerts")


@MIGRATIONS()
def m001_alerts(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS alert_states ("
        " rule_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS silences ("
        " rule_id TEXT PRIMARY KEY, until REAL NOT NULL, by TEXT NOT NULL,"
        " created_at REAL NOT NULL)"
    )
    # One row per alert (rule + when it fired) that reached Slack: the resolution edits
    # that message and replies in its thread. Several alerts may share one grouped message.
    db.execute(
        "CREATE TABLE IF NOT EXISTS alert_messages ("
        " rule_id TEXT NOT NULL, fired_at TEXT NOT NULL, outbox_id INTEGER NOT NULL,"
        " channel TEXT NOT NULL, ts TEXT NOT NULL, resolved_at REAL,"
        " PRIMARY KEY (rule_id, fired_at))"
    )
    db.execute("CREATE INDEX IF NOT EXISTS alert_messages_ts ON alert_messages (channel, ts)")


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _message(r: tuple[Any, ...]) -> AlertMessage:
    return AlertMessage(r[0], r[1], r[2], r[3], r[4], _dt(r[5]))


class AlertStore(Repository):
    def states(self) -> dict[str, AlertState]:
        rows = self.db.execute("SELECT state FROM alert_states").fetchall()
        states = [AlertState.model_validate_json(r[0]) for r in rows]
        return {s.rule_id: s for s in states}

    def save_states(self, states: Mapping[str, AlertState], now: datetime) -> None:
        """Replace every state: rules gone from the plan lose theirs."""
        with atomic(self.db.conn):
            self.db.conn.execute("DELETE FROM alert_states")
            self.db.conn.executemany(
                "INSERT INTO alert_states (rule_id, state, updated_at) VALUES (?, ?, ?)",
                [(rid, s.model_dump_json(), now.timestamp()) for rid, s in states.items()],
            )

    def silence(self, rule_id: str, until: datetime, by: str, now: datetime) -> Silence:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "INSERT OR REPLACE INTO silences (rule_id, until, by, created_at)"
                " VALUES (?, ?, ?, ?)",
                [rule_id, until.timestamp(), by, now.timestamp()],
            )
        return Silence(rule_id, until, by)

    def silences(self, now: datetime) -> dict[str, Silence]:
        """Silences still in force at `now`."""
        rows = self.db.execute(
            "SELECT rule_id, until, by FROM silences WHERE until > ?", [now.timestamp()]
        ).fetchall()
        return {r[0]: Silence(r[0], datetime.fromtimestamp(r[1], UTC), r[2]) for r in rows}

    def record_messages(
        self, alerts: Iterable[tuple[str, str]], outbox_id: int, channel: str, ts: str
    ) -> None:
        """Remember which message announced each (rule_id, fired_at) alert."""
        with atomic(self.db.conn):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO alert_messages (rule_id, fired_at, outbox_id, channel, ts)"
                " VALUES (?, ?, ?, ?, ?)",
                [(rule_id, fired_at, outbox_id, channel, ts) for rule_id, fired_at in alerts],
            )

    def message_for(self, rule_id: str, fired_at: str) -> AlertMessage | None:
        row = self.db.execute(
            "SELECT rule_id, fired_at, outbox_id, channel, ts, resolved_at FROM alert_messages"
            " WHERE rule_id = ? AND fired_at = ?",
            [rule_id, fired_at],
        ).fetchone()
        return None if row is None else _message(row)

    def messages_of(self, channel: str, ts: str) -> list[AlertMessage]:
        rows = self.db.execute(
            "SELECT rule_id, fired_at, outbox_id, channel, ts, resolved_at FROM alert_messages"
            " WHERE channel = ? AND ts = ? ORDER BY rule_id",
            [channel, ts],
        ).fetchall()
        return [_message(r) for r in rows]

    def mark_resolved(self, rule_id: str, fired_at: str, at: datetime) -> None:
        with atomic(self.db.conn):
            self.db.conn.execute(
                "UPDATE alert_messages SET resolved_at = coalesce(resolved_at, ?)"
                " WHERE rule_id = ? AND fired_at = ?",
                [at.timestamp(), rule_id, fired_at],
            )

    def messages_since(self, since: datetime) -> list[AlertMessage]:
        """Alerts that reached Slack and fired or resolved at or after `since` (a week's)."""
        rows = self.db.execute(
            "SELECT rule_id, fired_at, outbox_id, channel, ts, resolved_at FROM alert_messages"
            " ORDER BY fired_at"
        ).fetchall()
        found = []
        for row in rows:
            message = _message(row)
            try:
                fired = datetime.fromisoformat(message.fired_at)
            except ValueError:
                continue
            resolved = message.resolved_at
            if fired >= since or (resolved is not None and resolved >= since):
                found.append(message)
        return found
