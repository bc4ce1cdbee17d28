"""The appendix: what the document body cannot say, as a patch over what the body gives.

A patch mirrors the plan's data: a mapping patches a mapping key by key; a mapping with
number keys patches a list item by item (`scenarios: {0: {metrics: [cpu_pct]}}`); any
other value replaces. So the appendix names only what differs, and a person can add
`thresholds: {2: {severity: p0}}` by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["apply_overlay", "diff_overlay", "plain"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    return bool(a == b)


def diff_overlay(want: Any, have: Any) -> Any:
    """The patch that turns `have` into `want` (None when they are the same)."""
    if _same(want, have):
        return None
    if isinstance(want, dict) and isinstance(have, dict):
        patch = {}
        for key, value in want.items():
            if key not in have:
                patch[key] = value
                continue
            sub = diff_overlay(value, have[key])
            if sub is not None:
                patch[key] = sub
        return patch or None
    if isinstance(want, list | tuple) and isinstance(have, list | tuple) and len(want) == len(have):
        items = {}
        for index, (w, h) in enumerate(zip(want, have, strict=True)):
            sub = diff_overlay(w, h)
            if sub is not None:
                items[index] = sub
        return items or None
    return want


def apply_overlay(base: Any, patch: Any) -> Any:
    if isinstance(patch, dict) and isinstance(base, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = apply_overlay(base[key], value) if key in base else value
        return merged
    if (
        isinstance(patch, dict)
        and isinstance(base, list | tuple)
        and patch
        and all(isinstance(k, int) for k in patch)
    ):
        items = list(base)
        for index, value in patch.items():
            if not 0 <= index < len(items):
                raise ValueError(f"item {index} does not exist (there are {len(items)})")
            items[index] = apply_overlay(items[index], value)
        return items
    return patch


def plain(value: Any) -> Any:
    """YAML-safe data: Decimal as int or exact text, tuples as lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value) if Decimal(str(float(value))) == value else str(value)
    return value
