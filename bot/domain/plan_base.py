"""The base of every plan model: strict fields, and figures that may be given as ranges."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from bot.domain.span import Span, range_text, span

__all__ = ["PlanModel"]


class PlanModel(BaseModel):
    # A typo in a plan file must be an error with its location, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _ranges(cls, data: object) -> object:
        """`cost: "35-50"` is `cost: 35` with `cost_high: 50`: a figure that has a `_high`
        partner may be written as a range."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name in cls.model_fields:
            partner = f"{name}_high"
            value = out.get(name)
            if partner in cls.model_fields and isinstance(value, str):
                bounds = range_text(value)
                if bounds is not None and out.get(partner) is None:
                    out[name], out[partner] = bounds
        return out

    @model_validator(mode="after")
    def _ordered(self) -> PlanModel:
        for name in type(self).model_fields:
            high = getattr(self, f"{name}_high", None)
            low = getattr(self, name)
            if high is not None and low is not None and high < low:
                raise ValueError(f"{name}_high: {high} is below {name} ({low})")
        return self

    def _span(self, name: str) -> Span:
        return span(getattr(self, name), getattr(self, f"{name}_high"))
