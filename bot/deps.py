"""What every front end and job shares: settings, plan, store, clock. Builds nothing above it:
a front end that needs a router or an answer cache builds its own (bot.commands.build_router)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.context import Context
from bot.core.config import ConfigError, Settings
from bot.core.registry import Registry
from bot.core.telemetry import Telemetry
from bot.domain.plan import Plan
from bot.planio.planfile import file_stamp, load_plan
from store import (
    AlertStore,
    ChangeStore,
    CostStore,
    DeliveryStore,
    MetricStore,
    Outbox,
    Store,
    TierStore,
)
from store.db import CannotOpen, check_path
from store.vitals import Vitals

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


class _StoreOnUse:
    """The commands' view of the store (`CommandStore`), opened when a command first reads
    it: `ask "tier 2"` never creates a database file."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @property
    def changes(self) -> ChangeStore:
        return self._deps.store.changes

    @property
    def metrics(self) -> MetricStore:
        return self._deps.store.metrics

    @property
    def alerts(self) -> AlertStore:
        return self._deps.store.alerts

    @property
    def outbox(self) -> Outbox:
        return self._deps.store.outbox

    @property
    def tiers(self) -> TierStore:
        return self._deps.store.tiers

    @property
    def costs(self) -> CostStore:
        return self._deps.store.costs

    @property
    def delivery(self) -> DeliveryStore:
        return self._deps.store.delivery

    @property
    def vitals(self) -> Vitals:
        return self._deps.store.vitals

    def transaction(self) -> AbstractContextManager[None]:
        return self._deps.store.transaction()


@dataclass
class Deps:
    settings: Settings
    plan: Plan
    clock: Callable[[], datetime] = utc_now
    # Opened on first use so `ask "tier 2"` never creates a database file.
    _store: Store | None = field(default=None, repr=False)
    # Which plan is live: 1 at start, +1 per applied reload; the file's (mtime, size) then.
    plan_version: int = 1
    plan_stamp: tuple[int, int] | None = None
    # Called on the loop after a reload swapped in a new plan (the Slack front end
    # republishes Home); each must only schedule its work, not do it.
    after_reload: list[Callable[[], None]] = field(default_factory=list, repr=False)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # Where parts register health checks and details, and the app's metrics.
    registry: Registry = field(default_factory=Registry)

    @property
    def telemetry(self) -> Telemetry:
        """The app's own metrics (GET /metrics): the registry's."""
        return self.registry.telemetry

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.db_path)
        return self._store

    def context(self, user_id: str | None = None, channel_id: str | None = None) -> Context:
        """What a command may read, for one request by `user_id` in `channel_id`."""
        return Context(
            plan=self.plan,
            now=self.clock(),
            user_id=user_id,
            channel_id=channel_id,
            settings=self.settings,
            store=_StoreOnUse(self),
            plan_source=str(self.settings.plan_path or ""),
            plan_version=self.plan_version,
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
    stamp = file_stamp(settings.plan_path)  # before reading: a save in between is seen
    return Deps(
        settings=settings,
        plan=load_plan(settings.plan_path),
        clock=clock,
        _store=store,
        plan_stamp=stamp,
    )
