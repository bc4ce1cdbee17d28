"""The plan's `reality` section: how its assumptions are held against the measured values."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Reality", "RealityMetrics"]


class _Model(BaseModel):
    # As every plan section: a typo is an error with its location, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RealityMetrics(_Model):
    """Which metric plays each role when the plan is held against production (a team's
    document may name its own); the users role is the plan's `users_metric`."""

    requests: str = "api_rps"  # requests a second, mean over the sample's interval
    mean_response: str = "api_mean_ms"
    containers: str = "api_containers"
    database: str = "db_size_gb"
    cpu: str = "cpu_pct"
    p95: str = "api_p95_ms"
    connections: str = "db_connections"
    storage: str = "storage_gb"  # files and database together, as the storage triggers read it


class Reality(_Model):
    """How `/capacity reality` holds the plan's assumptions against the measured values."""

    # An assumption off by more than this (either way) is a p2 warning.
    tolerance_pct: Decimal = Field(default=Decimal(25), gt=0, le=1000)
    # The plan's vCPUs per API container: the utilisation law needs it.
    vcpus_per_container: Decimal = Field(default=Decimal(1), gt=0)
    # The plan's storage growth a month (GB), when it states one ("~2GB/month").
    growth_gb_month: Decimal | None = Field(default=None, ge=0)
    metrics: RealityMetrics = RealityMetrics()
