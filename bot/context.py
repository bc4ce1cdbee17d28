"""What a command reads, as typed fields: the plan, the time, who asked, the team's settings
and the store. A front end or job fills one in per request; commands read nothing else.

The store and the settings are protocols, so a command names exactly what it may touch and a
test can hand in a fake. `store` is None where a front end has no database; `settings` is
None where there are no team settings (then: UTC, and everyone may write).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from bot.domain.plan import Plan
from store.alerts import AlertStore
from store.changes import ChangeStore
from store.costs import CostStore
from store.delivery import DeliveryStore
from store.metrics import MetricStore
from store.outbox import Outbox
from store.tiers import TierStore
from store.vitals import Vitals

__all__ = ["CommandStore", "Context", "TeamSettings"]


class TeamSettings(Protocol):
    """The settings a command may read (`bot.core.config.Settings` is one)."""

    @property
    def zone(self) -> tzinfo: ...

    @property
    def digest_cron(self) -> str: ...

    def may_write(self, user_id: str | None) -> bool: ...


class CommandStore(Protocol):
    """The repositories a command may read or write (`store.Store` is one)."""

    @property
    def changes(self) -> ChangeStore: ...

    @property
    def metrics(self) -> MetricStore: ...

    @property
    def alerts(self) -> AlertStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def delivery(self) -> DeliveryStore: ...

    @property
    def tiers(self) -> TierStore: ...

    @property
    def costs(self) -> CostStore: ...

    @property
    def vitals(self) -> Vitals: ...

    def transaction(self) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class Context:
    plan: Plan
    now: datetime
    # Who asked, and where (None from the shell or a scheduled job).
    user_id: str | None = None
    channel_id: str | None = None
    settings: TeamSettings | None = None
    store: CommandStore | None = None
    # Where the live plan came from ("" = the embedded default) and how often it was
    # reloaded (1 = as started): what `/capacity plan` shows.
    plan_source: str = ""
    plan_version: int = 1

    @property
    def zone(self) -> tzinfo:
        """The team's zone (CAPACITY_TIMEZONE), UTC without settings."""
        return self.settings.zone if self.settings is not None else UTC

    @property
    def may_write(self) -> bool:
        """Whether the asker may change things (CAPACITY_PLANNERS)."""
        return self.settings is None or self.settings.may_write(self.user_id)
