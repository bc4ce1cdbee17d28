"""A simulated service with known parameters, sampled as production would report it.

Users grow linearly; requests follow a daily load curve (a sine around the day's mean);
CPU follows the utilisation law from the service demand; connections are each API
container's pool plus the jobs' share; storage is files a user plus the database. The
reality tests feed its samples through the real intake and check what comes back.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.plan import Plan
from bot.domain.sizing import database_gb_for

__all__ = ["Service", "plan_true"]


@dataclass(frozen=True)
class Service:
    users0: float = 800.0  # users at the first sample
    users_per_day: float = 10.0
    requests_per_user: float = 130.0  # a day
    demand_s: float = 0.26  # CPU seconds a request
    vcpus_per_container: float = 1.0
    containers: float = 3.0
    connections_per_container: float = 12.0
    jobs: float = 25.0
    files_mb: float = 31.0  # a user
    db_factor: float = 1.3  # the database against the plan's sizes
    mean_ms: float = 240.0
    p95_over_mean: float = 2.5
    swing: float = 0.6  # the daily curve: 1 ± swing
    cost: float = 35.0
    cost_per_day: float = 0.0

    def users(self, days: float) -> float:
        return self.users0 + self.users_per_day * days

    def rps(self, days: float) -> float:
        curve = 1 + self.swing * math.sin(2 * math.pi * (days % 1.0 - 0.375))
        return self.users(days) * self.requests_per_user / 86400 * curve

    def cpu_pct(self, days: float) -> float:
        return 100 * self.rps(days) * self.demand_s / (self.containers * self.vcpus_per_container)

    def db_gb(self, plan: Plan, days: float) -> float:
        users = round(self.users(days))
        return float(database_gb_for(plan.formulas.storage, users)) * self.db_factor

    def storage_gb(self, plan: Plan, days: float) -> float:
        return self.users(days) * self.files_mb / 1000 + self.db_gb(plan, days)

    def values(self, plan: Plan, days: float) -> dict[str, float]:
        busy = self.cpu_pct(days) / 100
        mean = self.mean_ms / (1 - min(busy, 0.95)) * (1 - 0.2)
        return {
            "mau": self.users(days),
            "api_rps": self.rps(days),
            "cpu_pct": self.cpu_pct(days),
            "api_containers": self.containers,
            "db_connections": self.containers * self.connections_per_container + self.jobs,
            "api_mean_ms": self.mean_ms,
            "api_p95_ms": mean * self.p95_over_mean,
            "db_size_gb": self.db_gb(plan, days),
            "storage_gb": self.storage_gb(plan, days),
            "cost_usd": self.cost + self.cost_per_day * days,
        }

    def rows(
        self, plan: Plan, start: datetime, days: float, step: timedelta
    ) -> Iterator[tuple[str, float, float]]:
        """(metric, unix seconds, value) from `start` for `days`, one set every `step`."""
        count = int(days * 86400 / step.total_seconds())
        for i in range(count):
            at = start + step * i
            offset = (at - start).total_seconds() / 86400
            for metric, value in self.values(plan, offset).items():
                yield metric, at.timestamp(), value

    def storage_growth_month(self, plan: Plan) -> float:
        """GB a month, from the files and the database's slope where the users are."""
        storage = plan.formulas.storage
        low = float(database_gb_for(storage, round(self.users0)))
        high = float(database_gb_for(storage, round(self.users0) + 100))
        per_user = self.files_mb / 1000 + (high - low) / 100 * self.db_factor
        return self.users_per_day * 30.4375 * per_user


def plan_true(plan: Plan) -> Service:
    """A service that behaves exactly as `plan` assumes (every drift 0)."""
    c = plan.formulas
    base = Service(
        requests_per_user=plan.baseline.requests_per_day / plan.baseline.users,
        demand_s=float(c.compute.avg_response_seconds),
        vcpus_per_container=float(plan.reality.vcpus_per_container),
        containers=2.0,
        connections_per_container=float(c.connections.pool_per_container),
        jobs=float(c.connections.workers * c.connections.connections_per_worker),
        files_mb=float(c.storage.files_per_user * c.storage.avg_file_mb),
        db_factor=1.0,
        mean_ms=float(c.compute.avg_response_seconds) * 1000,
    )
    # Users grow at the pace that makes storage grow as the plan's note says (~2GB/month).
    probe = replace(base, users_per_day=1.0)
    growth = probe.storage_growth_month(plan)
    return replace(base, users_per_day=2.0 / growth)
