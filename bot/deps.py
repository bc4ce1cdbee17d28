"""What every front end shares: settings, plan, router, store, clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.answers import Answers
from bot.commands import Context, Router, build_router
from bot.config import ConfigError, Settings
from bot.domain.plan import Plan
from bot.planfile import load_plan
from store import Store

__all__ = ["Deps", "build_deps", "check_db_path", "open_store", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


_SQLITE_HEADER = b"SQLite format 3\x00"


def _cannot_open(path: Path | str, reason: str) -> ConfigError:
    return ConfigError(f"CAPACITY_DB: cannot open {path}: {reason}")


def check_db_path(path: Path) -> None:
    """ConfigError when CAPACITY_DB already names something that is not a database.

    Touches nothing (no file is created): a missing file, or one whose parent is
    missing, is a fresh install and is created on first use.
    """
    if str(path) == ":memory:" or not path.exists():
        return
    if path.is_dir():
        raise _cannot_open(path, "it is a directory; give a file path, e.g. /data/capacity.db")
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise _cannot_open(path, exc.strerror or str(exc)) from None
    if head and head != _SQLITE_HEADER:
        raise _cannot_open(path, "it is not an SQLite database")


def open_store(path: Path) -> Store:
    """The store at CAPACITY_DB, or ConfigError naming the variable and the reason."""
    check_db_path(path)
    try:
        return Store(path)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _cannot_open(path, reason) from None


@dataclass
class Deps:
    settings: Settings
    plan: Plan
    router: Router
    clock: Callable[[], datetime] = utc_now
    # Opened on first use so `ask "tier 2"` never creates a database file.
    _store: Store | None = field(default=None, repr=False)
    _answers: Answers | None = field(default=None, repr=False)

    @property
    def answers(self) -> Answers:
        if self._answers is None:
            self._answers = Answers(self.router)
        return self._answers

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.db_path)
        return self._store

    def context(self, user_id: str | None = None, channel_id: str | None = None) -> Context:
        from bot.digest.source import StoreDigestSource  # it builds on Deps

        return Context(
            plan=self.plan,
            now=self.clock(),
            user_id=user_id,
            channel_id=channel_id,
            services={
                "deps": self,
                "settings": self.settings,
                "digest_source": StoreDigestSource(self),
            },
        )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def build_deps(
    settings: Settings, *, store: Store | None = None, clock: Callable[[], datetime] = utc_now
) -> Deps:
    if store is None:
        # Up front, so a front end that answers without the store when it is missing
        # (`metric` in `ask`) reports a bad path instead of "no database".
        check_db_path(settings.db_path)
    return Deps(
        settings=settings,
        plan=load_plan(settings.plan_path),
        router=build_router(),
        clock=clock,
        _store=store,
    )
