"""The plan's sizing formulas: compute, database connections, storage."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from bot.domain.plan_base import PlanModel as _Model

__all__ = [
    "ComputeFormula",
    "ConnectionsFormula",
    "Formulas",
    "StorageFormula",
    "StoragePoint",
]


class ComputeFormula(_Model):
    """Requests/sec = (vCPU x efficiency) / avg_response_time."""

    efficiency: Decimal = Field(gt=0, le=1)
    avg_response_seconds: Decimal = Field(gt=0)
    container_sizes: tuple[int, ...] = (1, 4)
    # The template rounds "need 28.6 vCPUs" up to "~30": the step of that friendly figure.
    approx_step: int = Field(default=5, gt=0)
    current_vcpus: int = Field(default=1, gt=0)
    current_rps_claim: Decimal | None = None  # "Handles ~20 req/sec" as written
    # The queue model (README "The queue, modelled"): workers serving requests in each
    # container (unset = one per vCPU), the service time's assumed shape, and its spread
    # (squared coefficient of variation) until the team's measurements fit one.
    workers_per_container: int | None = Field(default=None, gt=0)
    service_shape: Literal["lognormal", "exponential"] = "lognormal"
    service_scv: Decimal = Field(default=Decimal(1), gt=0, le=50)
    # The plan's worked example line as written, quoted (never recomputed) by `compute`.
    example: str | None = None

    @field_validator("container_sizes")
    @classmethod
    def _sizes_positive(cls, sizes: tuple[int, ...]) -> tuple[int, ...]:
        if not sizes or any(size <= 0 for size in sizes):
            raise ValueError("list at least one container size in whole vCPUs, e.g. [1, 4]")
        return sizes


class ConnectionsFormula(_Model):
    """Connections = containers x pool_per_container + workers x per_worker."""

    pool_per_container: int = Field(gt=0)
    workers: int = Field(ge=0)
    connections_per_worker: int = Field(ge=0)
    max_connections: int = Field(gt=0)
    warn_fraction: Decimal = Field(default=Decimal("0.8"), gt=0, le=1)
    pooler: str = "PgBouncer"


class StoragePoint(_Model):
    users: int = Field(gt=0)
    database_gb: Decimal = Field(ge=0)


class StorageFormula(_Model):
    """Total = users x files_per_user x avg_file_mb + database size at that scale."""

    files_per_user: Decimal = Field(ge=0)
    avg_file_mb: Decimal = Field(ge=0)
    # Database size measured or estimated at a few scales; other counts interpolate.
    database: tuple[StoragePoint, ...] = Field(min_length=1)
    growth_note: str = ""

    @field_validator("database")
    @classmethod
    def _sorted_points(cls, points: tuple[StoragePoint, ...]) -> tuple[StoragePoint, ...]:
        ordered = tuple(sorted(points, key=lambda p: p.users))
        if len({p.users for p in ordered}) != len(ordered):
            raise ValueError("each user count may appear once")
        if any(b.database_gb < a.database_gb for a, b in itertools.pairwise(ordered)):
            raise ValueError("database size cannot shrink as users grow")
        return ordered


class Formulas(_Model):
    # A team's document may leave any of them out: the command that needs one says so.
    compute: ComputeFormula | None = None
    connections: ConnectionsFormula | None = None
    storage: StorageFormula | None = None
