"""A metric rule is data (`metric`, `op`, `value`, `for`), so it can be evaluated."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

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
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


class MetricRule(BaseModel):
    """`metric op value` held for `for` seconds, e.g. cpu_pct > 70 for 1h."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    metric: str = Field(min_length=1)
    op: Op
    value: float
    for_seconds: Duration = Field(default=0, alias="for")

    def holds(self, observed: float) -> bool:
        """Whether one observed value meets the condition (the `for` is the caller's)."""
        return OPS[self.op](observed, self.value)

    def describe(self, unit: str = "") -> str:
        """`cpu_pct > 70% for 1h`."""
        value = f"{self.value:g}{unit}" if unit in ("%", "ms", "GB", "s") else f"{self.value:g}"
        text = f"{self.metric} {self.op} {value}"
        if self.for_seconds:
            text += f" for {format_duration(self.for_seconds)}"
        return text
