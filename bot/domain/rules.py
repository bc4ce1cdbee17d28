"""A metric rule is data (`metric`, `op`, `value`, `for`), so it can be evaluated."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

__all__ = ["OPS", "Duration", "MetricRule", "format_duration", "parse_duration"]

Op = Literal[">", ">=", "<", "<="]

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
# [0-9], not \d: `\d` also matches `٢` and `𝟚`, which float() would read silently.
_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*")


def parse_duration(value: Any) -> int:
    """Seconds in `value`: an int of seconds, or text such as `1h`, `30 min`, `1h30m`."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as 30m, 1h, 2d")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a duration cannot be negative")
        return int(value)
    if not isinstance(value, str):
        raise ValueError("a duration is a number of seconds or text such as 30m, 1h, 2d")
    text = value.strip().lower()
    if text in ("", "0"):
        return 0
    total = 0.0
    pos = 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match or match.group(2) not in _UNITS:
            raise ValueError(f"{value!r} is not a duration; write it like 30m, 1h, 2d or 1h30m")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return int(total)


def format_duration(seconds: int) -> str:
    """`3600` -> `1h`, `5400` -> `1h30m`, `0` -> `0s`."""
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{count}{unit}")
    return "".join(parts)


Duration = Annotated[
    int,
    # Editors see what people write: seconds, or text such as 30m, 1h, 2d.
    BeforeValidator(parse_duration, json_schema_input_type=int | str),
    PlainSerializer(format_duration, return_type=str),
]


_TEXT_RULE = re.compile(
    r"^\s*(?P<metric>[a-z][a-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*(?P<value>-?\d+(?:\.\d+)?)"
    r"\s*(?P<pct>%\s*of\s+budget)?(?:\s+for\s+(?P<for>.+?))?\s*$"
)


def _rule_from_text(data: Any) -> Any:
    """`cost_usd > 150% of budget` or `cpu_pct > 70 for 1h`: the same rule as the mapping."""
    if not isinstance(data, str):
        return data
    match = _TEXT_RULE.match(data.lower())
    if match is None:
        raise ValueError(
            f"{data!r} is not a rule; write it like `cpu_pct > 70 for 1h`"
            " or `cost_usd > 150% of budget`"
        )
    out: dict[str, Any] = {
        "metric": match["metric"],
        "op": match["op"],
        "value": float(match["value"]),
        "of_budget": match["pct"] is not None,
    }
    if match["for"]:
        out["for"] = match["for"]
    return out


class MetricRule(BaseModel):
    """`metric op value` held for `for` seconds, e.g. cpu_pct > 70 for 1h.

    With `of_budget`, `value` is a percentage of the built tier's monthly budget
    (`cost_usd > 150% of budget`), so a cost threshold follows the tier that is built;
    `against_budget` turns it into the absolute rule the monitor evaluates.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    metric: str = Field(min_length=1)
    op: Op
    value: float
    for_seconds: Duration = Field(default=0, alias="for")
    of_budget: bool = False

    @model_validator(mode="before")
    @classmethod
    def _text_form(cls, data: Any) -> Any:
        return _rule_from_text(data)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Editors validating a plan must accept the text form too.
        text = {"type": "string", "examples": ["cpu_pct > 70 for 1h", "cost_usd > 150% of budget"]}
        return {"anyOf": [handler(core_schema), text]}

    def holds(self, observed: float) -> bool:
        """Whether one observed value meets the condition (the `for` is the caller's)."""
        if self.of_budget:
            raise ValueError("a rule relative to the budget needs `against_budget` first")
        return OPS[self.op](observed, self.value)

    def against_budget(self, budget: float) -> MetricRule:
        """The absolute rule for a tier whose budget is `budget` (itself when absolute)."""
        if not self.of_budget:
            return self
        return self.model_copy(update={"value": self.value * budget / 100, "of_budget": False})

    def describe(self, unit: str = "") -> str:
        """`cpu_pct > 70% for 1h`; `cost_usd > 150% of budget`."""
        if self.of_budget:
            value = f"{self.value:g}% of budget"
        elif unit in ("%", "ms", "GB", "s"):
            value = f"{self.value:g}{unit}"
        else:
            value = f"{self.value:g}"
        text = f"{self.metric} {self.op} {value}"
        if self.for_seconds:
            text += f" for {format_duration(self.for_seconds)}"
        return text
