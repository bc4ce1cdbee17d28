"""A YAML plan may give a trigger's words alone: the rule is read from them.

The same reading as import-plan's, so "MAU >= 8,500 for 2 hours" means the same rule in
a YAML plan and in the document. A text that names no metric and number stays without
a rule; for scaling triggers and thresholds, which need one, validation says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.rule_text import RuleContext, parse_rule_text
from bot.domain.rules import format_duration

__all__ = ["derive_rules"]


def _context(data: dict[str, Any], fallback: list[tuple[str, str, str]]) -> RuleContext:
    metrics = data.get("metrics")
    if isinstance(metrics, list) and metrics:
        triples = [
            (str(m.get("name", "")), str(m.get("unit", "")), str(m.get("description", "")))
            for m in metrics
            if isinstance(m, dict)
        ]
    else:
        triples = fallback
    limits: dict[str, Decimal] = {}
    try:
        limit = data["formulas"]["connections"]["max_connections"]
        limits["db_connections"] = Decimal(str(limit))
    except (KeyError, TypeError, InvalidOperation):
        pass
    targets = {}
    for target in data.get("targets") or []:
        if isinstance(target, dict) and target.get("values"):
            targets[str(target.get("metric", ""))] = str(target["values"][0])
    return RuleContext.build(triples, limits=limits, targets=targets)


def _worded(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    for tier in data.get("tiers") or []:
        if isinstance(tier, dict):
            for trigger in tier.get("triggers") or []:
                if isinstance(trigger, dict):
                    yield trigger, str(trigger.get("text", ""))
    for trigger in data.get("scaling_triggers") or []:
        if isinstance(trigger, dict):
            yield trigger, str(trigger.get("text", ""))
    auto = data.get("auto_scaling")
    if isinstance(auto, dict):
        for trigger in auto.get("rules") or []:
            if isinstance(trigger, dict):
                yield trigger, str(trigger.get("text", ""))
    for threshold in data.get("thresholds") or []:
        if isinstance(threshold, dict) and threshold.get("text"):
            yield threshold, f"{threshold.get('name', '')} {threshold['text']}"


def derive_rules(data: dict[str, Any], fallback: list[tuple[str, str, str]]) -> None:
    """Fill in, in place, every missing rule whose text states one."""
    ctx: RuleContext | None = None
    for item, text in _worded(data):
        if item.get("rule") is not None or not text.strip():
            continue
        ctx = ctx or _context(data, fallback)
        read = parse_rule_text(text, ctx)
        if read is not None:
            rule = read.rule
            item["rule"] = {
                "metric": rule.metric,
                "op": rule.op,
                "value": rule.value,
                "for": format_duration(rule.for_seconds),
            }
