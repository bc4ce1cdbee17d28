"""A plan built to break renderers: 12 tiers, 300-character names, 40 items each."""

from __future__ import annotations

from typing import Any

import yaml

from bot.domain.plan import Plan
from bot.planio.planfile import default_plan_text, parse_plan

__all__ = ["large_plan"]


def _long(prefix: str, n: int) -> str:
    # `&`, `<`, `>` and `**` on purpose: escaping makes text longer than it looks.
    return (f"{prefix} {n} <&> **x** " + "ä" * 300)[:300]


def large_plan(tiers: int = 12, items: int = 40) -> Plan:
    data: dict[str, Any] = yaml.safe_load(default_plan_text())
    data["product"] = _long("Product", 0)
    base = data["baseline"]
    base["name"] = _long("Baseline", 0)
    base["line_items"] = [
        {"name": _long("Item", i), "cost": 1, "note": _long("Note", i)} for i in range(items)
    ]
    template = data["tiers"][0]
    out = []
    users = base["users"]
    for t in range(tiers):
        users *= 3
        tier = dict(template)
        tier.update(
            name=_long("Tier", t),
            users=users,
            timeline=_long("Timeline", t),
            triggers=[{"text": _long("Trigger", i)} for i in range(items)],
            changes=[
                {
                    "component": _long("Component", i),
                    "current": _long("Current", i),
                    "new": _long("New", i),
                    "cost_change": 5,
                }
                for i in range(items)
            ],
            capacity=[_long("Capacity", i) for i in range(items)],
            architecture_changes=[_long("Architecture", i) for i in range(items)],
            optimizations=[_long("Optimization", i) for i in range(items)],
            bottlenecks=[_long("Bottleneck", i) for i in range(items)],
        )
        tier.pop("stated_total", None)
        out.append(tier)
    data["tiers"] = out
    data["change_log"] = [
        {"date": "2026-01-01", "change": _long("Change", i), "reason": _long("Reason", i)}
        for i in range(items * tiers)
    ]
    return parse_plan(yaml.safe_dump(data, allow_unicode=True), "large plan")
