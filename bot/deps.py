"""What every front end shares: settings, plan, router, store, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.commands import Context, Router, build_router
from bot.config import ConfigError, Settings
from bot.domain.plan import Plan
from bot.planio.planfile import load_plan
from bot.slack.answers import Answers
from store import Store
from store.db import CannotOpen, check_path

__all__ = ["Deps", "build_deps", "check_db_path", "open_store", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_db_path(path: Path | str) -> None:
    """ConfigError when CAPACITY_DB already names something that is not a database.

    Touches nothing: a missing file, or a missing directory above it, is a fresh install
    and is created on first use.
    """
    try:
        check_path(path)
    except CannotOpen as exc:
        raise ConfigError(f"CAPACITY_DB: {exc}") from None


def open_store(path: Path | str) -> Store:
    """The store at CAPACITY_DB, or ConfigError naming the variable and the reason."""
    try:
        return Store(path)
    except CannotOpen as exc:
        raise ConfigError(f"CAPACITY_DB: {exc}") from None


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
        from bot.jobs.digest_source import StoreDigestSource  # it builds on Deps

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
