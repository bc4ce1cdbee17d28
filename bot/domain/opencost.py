"""OpenCost's `/allocation` answer -> cost lines for one day. Pure.

As OpenCost documents it: `{"code": 200, "data": [{"<name>": {"name": ..., "properties":
{"namespace": ..., "labels": {...}}, "window": {"start": ..., "end": ...}, "totalCost":
1.23, ...}, ...}]}`, one set per step (`accumulate=true` gives one). Each allocation is
a line of the day: `provider` OpenCost, `service` the aggregation (namespace, controller,
label:app), `resource` the allocation's name, `tags` its labels; the plan's rules place
it like any bill line (`{provider: OpenCost, resource: api, component: API}`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.bills import CostLine, amount_of, formula_problem

__all__ = ["OpenCostError", "allocation_lines"]

MAX_ALLOCATIONS = 10_000


class OpenCostError(ValueError):
    """The answer is not OpenCost's allocation as documented; the message says why."""


def _labels(allocation: dict[str, Any]) -> str:
    properties = allocation.get("properties")
    labels = properties.get("labels") if isinstance(properties, dict) else None
    if not isinstance(labels, dict) or not labels:
        return ""
    return json.dumps({str(k): str(v) for k, v in labels.items()}, sort_keys=True)


def allocation_lines(body: Any, start: datetime, end: datetime, aggregate: str) -> list[CostLine]:
    """The day [start, end) as OpenCost allocated it; OpenCostError for anything else."""
    if not isinstance(body, dict) or body.get("code") != 200:
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        raise OpenCostError(f"OpenCost answered code {code}: {str(message)[:120]}")
    sets = body.get("data")
    if not isinstance(sets, list):
        raise OpenCostError("`data` is not a list of allocation sets")
    day = start.date().isoformat()
    lines: list[CostLine] = []
    for allocations in sets:
        if allocations is None:
            continue
        if not isinstance(allocations, dict):
            raise OpenCostError("an allocation set is not an object of allocations")
        for name, allocation in allocations.items():
            if len(lines) >= MAX_ALLOCATIONS:
                raise OpenCostError(f"more than {MAX_ALLOCATIONS:,} allocations in a day")
            if not isinstance(allocation, dict):
                raise OpenCostError(f"allocation {str(name)[:60]!r} is not an object")
            total = allocation.get("totalCost")
            if isinstance(total, bool) or not isinstance(total, int | float):
                raise OpenCostError(f"allocation {str(name)[:60]!r} has no numeric totalCost")
            try:
                amount = amount_of(repr(float(total)))
            except ValueError as exc:
                raise OpenCostError(f"allocation {str(name)[:60]!r}: {exc}") from None
            why = formula_problem("name", str(name))
            if why:
                raise OpenCostError(f"allocation {str(name)[:60]!r}: {why}")
            lines.append(
                CostLine(
                    start=start.timestamp(),
                    end=end.timestamp(),
                    whole=False,
                    amount=amount,
                    category="Usage",
                    line=len(lines) + 1,
                    account="opencost",
                    period=day,
                    provider="OpenCost",
                    service=aggregate,
                    service_category="Kubernetes",
                    resource=str(name)[:200],
                    tags=_labels(allocation),
                )
            )
    return lines
