"""The plan's compute formula and the queue model's settings beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ComputeFormula"]


class ComputeFormula(BaseModel):
    """Requests/sec = (vCPU x efficiency) / avg_response_time."""

    # As every part of the plan: a typo is an error with its location (bot/domain/plan.py).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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

    @field_validator("container_sizes")
    @classmethod
    def _sizes_positive(cls, sizes: tuple[int, ...]) -> tuple[int, ...]:
        if not sizes or any(size <= 0 for size in sizes):
            raise ValueError("list at least one container size in whole vCPUs, e.g. [1, 4]")
        return sizes
