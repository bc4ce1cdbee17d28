"""The template's sizing formulas: compute, database connections, storage."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from bot.domain.money import ceil_to_step
from bot.domain.plan import ComputeFormula, ConnectionsFormula, StorageFormula

__all__ = [
    "ComputeEstimate",
    "ConnectionEstimate",
    "StorageEstimate",
    "compute_for",
    "connections_for",
    "database_gb_for",
    "rps_per_vcpu",
    "storage_for",
]


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def rps_per_vcpu(formula: ComputeFormula) -> Decimal:
    """1 vCPU x 0.7 / 0.2s = 3.5 req/sec."""
    return formula.efficiency / formula.avg_response_seconds


@dataclass(frozen=True)
class ComputeEstimate:
    rps: Decimal
    per_vcpu: Decimal
    vcpus_exact: Decimal
    vcpus: int  # whole vCPUs, rounded up
    # The template's friendly "~30" for 28.6; None where rounding to the step would
    # mislead (5.7 vCPUs is not "~10").
    approx_vcpus: int | None
    containers: tuple[tuple[int, int], ...]  # (vCPUs per container, containers)


def compute_for(formula: ComputeFormula, rps: Decimal) -> ComputeEstimate:
    if rps <= 0:
        raise ValueError("requests per second must be more than zero")
    per_vcpu = rps_per_vcpu(formula)
    exact = rps / per_vcpu
    containers = tuple((size, _ceil(exact / size)) for size in formula.container_sizes)
    return ComputeEstimate(
        rps=rps,
        per_vcpu=per_vcpu,
        vcpus_exact=exact,
        vcpus=_ceil(exact),
        approx_vcpus=(
            ceil_to_step(exact, formula.approx_step) if exact > 2 * formula.approx_step else None
        ),
        containers=containers,
    )


@dataclass(frozen=True)
class ConnectionEstimate:
    containers: int
    pool_per_container: int
    workers: int
    per_worker: int
    max_connections: int
    warn_at: int

    @property
    def from_containers(self) -> int:
        return self.containers * self.pool_per_container

    @property
    def from_workers(self) -> int:
        return self.workers * self.per_worker

    @property
    def total(self) -> int:
        return self.from_containers + self.from_workers

    @property
    def needs_pooler(self) -> bool:
        return self.total > self.max_connections

    @property
    def near_limit(self) -> bool:
        return not self.needs_pooler and self.total > self.warn_at


def connections_for(
    formula: ConnectionsFormula, containers: int, workers: int | None = None
) -> ConnectionEstimate:
    """(containers x pool) + workers x per-worker connections, against the limit."""
    if containers <= 0:
        raise ValueError("containers must be a whole number above zero")
    if workers is not None and workers < 0:
        raise ValueError("workers cannot be negative")
    return ConnectionEstimate(
        containers=containers,
        pool_per_container=formula.pool_per_container,
        workers=formula.workers if workers is None else workers,
        per_worker=formula.connections_per_worker,
        max_connections=formula.max_connections,
        warn_at=int(formula.max_connections * formula.warn_fraction),
    )


def database_gb_for(formula: StorageFormula, users: int) -> Decimal:
    """Database size at `users`: the plan's points, linear between and beyond them."""
    points = formula.database
    if len(points) == 1:
        only = points[0]
        return only.database_gb * users / only.users
    if users <= points[0].users:
        first = points[0]
        return first.database_gb * users / first.users
    pairs = list(itertools.pairwise(points))
    # Between two points interpolate; beyond the last, extend the last segment's slope.
    low, high = next(((a, b) for a, b in pairs if users <= b.users), pairs[-1])
    share = Decimal(users - low.users) / (high.users - low.users)
    return low.database_gb + share * (high.database_gb - low.database_gb)


@dataclass(frozen=True)
class StorageEstimate:
    users: int
    files_per_user: Decimal
    avg_file_mb: Decimal
    files_gb: Decimal
    database_gb: Decimal

    @property
    def total_gb(self) -> Decimal:
        return self.files_gb + self.database_gb


def storage_for(formula: StorageFormula, users: int) -> StorageEstimate:
    if users <= 0:
        raise ValueError("users must be a whole number above zero")
    # The template counts 1,000 MB to the GB (100 x 10 x 2MB = 2GB).
    files_gb = users * formula.files_per_user * formula.avg_file_mb / 1000
    return StorageEstimate(
        users=users,
        files_per_user=formula.files_per_user,
        avg_file_mb=formula.avg_file_mb,
        files_gb=files_gb,
        database_gb=database_gb_for(formula, users),
    )
