"""A metric the plan declares: what capacity-bot watches, in which unit, within which range."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from bot.domain.values import fmt_value

__all__ = ["Metric"]


class Metric(BaseModel):
    """A number capacity-bot can watch; rules and samples name it."""

    # As every plan section: a typo is an error with its location, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    description: str
    unit: str = ""
    query: str | None = None  # PromQL, when the metric is pulled from Prometheus
    # The values a sample may take; every intake refuses others. Left out: a percentage
    # ("%") is 0-100 and anything else (counts, money, times, sizes) is never negative.
    # `null` removes a bound (a metric that can go below zero says `min: null`).
    min: float | None = Field(
        default=None, description="Lowest value a sample may take. Left out: 0. null: no bound."
    )
    max: float | None = Field(
        default=None,
        description='Highest value a sample may take. Left out: 100 for unit "%", else no bound.',
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A bound left out is a default, not a null: dumped as null it would read back as
        # "no bound" (a plan written out and read again must keep its ranges).
        data: dict[str, Any] = handler(self)
        for key in ("min", "max"):
            if key not in self.model_fields_set:
                data.pop(key, None)
        return data

    @model_validator(mode="after")
    def _range(self) -> Metric:
        low, high = self.bounds
        if low is not None and high is not None and not low < high:
            raise ValueError(f"metric {self.name!r}: min ({low:g}) must be below max ({high:g})")
        return self

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lowest, highest) allowed value; None where unbounded."""
        low = self.min if "min" in self.model_fields_set else 0.0
        high = self.max if "max" in self.model_fields_set else (100.0 if self.unit == "%" else None)
        return low, high

    def shown(self, value: float) -> str:
        """`value` with this metric's unit (`$1,200`, `70%`, `850 users`), through the one
        formatter; exact, so a value just outside the range never reads as its bound."""
        return fmt_value(Decimal(repr(float(value))), self.unit)

    def range_text(self) -> str:
        """The allowed values in words: `0% to 100%`, `0 users or more`, `any value`."""
        low, high = self.bounds
        if low is not None and high is not None:
            return f"{self.shown(low)} to {self.shown(high)}"
        if low is not None:
            return f"{self.shown(low)} or more"
        return f"up to {self.shown(high)}" if high is not None else "any value"

    def range_problem(self, value: float) -> str | None:
        """Why `value` cannot be a sample of this metric (naming the range), or None."""
        low, high = self.bounds
        if low is not None and value < low:
            return f"{self.shown(value)} is below {self.name}'s minimum of {self.shown(low)}"
        if high is not None and value > high:
            return f"{self.shown(value)} is above {self.name}'s maximum of {self.shown(high)}"
        return None
