"""What a plan grows in, from the team's own words: readers, workspaces, orders, seats.

The tier headings name it (`(2K → 20K monthly readers)`, `(40 → 200+ workspaces)`,
`(50 teams)`), the pricing line gives its singular (`$39/mo per workspace`). Every pattern
is a run of single character classes, possessive where it repeats, so it reads in one pass.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

__all__ = ["growth_metric", "growth_start", "growth_unit"]

# `### Tier 1: Name (2K → 20K monthly readers)`: the words after the heading's last number.
_HEADING = re.compile(r"#{2,6}[ ]*+tier[ ]*+\d++[^(\n]*+\((?P<inside>[^)\n]*+)\)", re.I)
_NOUN = re.compile(r"\d[\d,.]*+[kKmM]?+\+?+[ ]++(?P<words>[A-Za-z][A-Za-z /-]*+)$")
# `orders/month`, `orders per month`, `orders a month`: a unit of use counted in a month
# (not `monthly readers`: people, each a month).
_MONTHLY = re.compile(r"[A-Za-z][ ]*+(?:/[ ]*+|per[ ]++|a[ ]++)(?:month|mo)$", re.I)
_PER = re.compile(r"\bper[ ]++(?P<words>[A-Za-z][A-Za-z -]*+)", re.I)


def _plural(words: str) -> str | None:
    """`monthly readers` -> `readers`, `orders/month`, `orders a month` -> `orders`."""
    noun = words.split("/")[0].split()
    if len(noun) > 2 and noun[-2].lower() in ("a", "per") and noun[-1].lower() in ("month", "mo"):
        noun = noun[:-2]
    return noun[-1].lower() if noun else None


def growth_unit(lines: list[str], pricing: str = "") -> dict[str, str]:
    """`{"growth_unit": "reader", "growth_units": "readers"}`, or nothing for users (the
    plan's default) or when the headings name no unit; `"growth_per": "month"` when every
    heading counts it in a month (`2,000 → 20,000 orders/month`)."""
    counted: Counter[str] = Counter()
    monthly = 0
    for line in lines:
        heading = _HEADING.match(line.strip())
        if heading is None:
            continue
        noun = _NOUN.search(heading["inside"].strip())
        plural = _plural(noun["words"]) if noun else None
        if plural:
            counted[plural] += 1
            monthly += bool(noun and _MONTHLY.search(noun["words"]))
    if not counted:
        return {}
    plural = counted.most_common(1)[0][0]
    if plural in ("users", "user"):
        return {}
    singular = plural[:-1] if plural.endswith("s") else plural
    per = _PER.search(pricing)
    if per is not None:
        word = per["words"].split()[-1].lower() if per["words"].split() else ""
        if word and plural.startswith(word):
            singular = word
    fields = {"growth_unit": singular}
    if plural != f"{singular}s":
        fields["growth_units"] = plural
    if monthly and monthly == sum(counted.values()):
        fields["growth_per"] = "month"
    return fields


_START = re.compile(r"(?P<start>\d[\d,.]*+[kKmM]?+)[ ]*+(?:→|->)")


def growth_start(lines: list[str]) -> str | None:
    """`2,000` of the first tier heading `(2,000 → 20,000 orders/month)`: where the tiers
    count from, in the plan's unit."""
    for line in lines:
        heading = _HEADING.match(line.strip())
        if heading is not None:
            start = _START.search(heading["inside"])
            return start["start"] if start else None
    return None


# `12 client sites (ten WordPress...)`: the words that count the baseline.
_COUNTED = re.compile(r"\d[\d,.]*+[kKmM]?+\+?+[ ]++(?P<words>[A-Za-z][A-Za-z ]*+)")


def _snake(words: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", words.lower()))


def _counts_unit(metric: str, names: set[str]) -> bool:
    """`paying_workspaces`, `daily_active_players`, `client_sites` count the unit."""
    return metric in names or bool(set(metric.split("_")) & names)


def growth_metric(data: dict[str, Any]) -> dict[str, Any]:
    """`{"users_metric": "client_sites"}`: the metric that counts what the plan grows in.

    A tier trigger's metric counts the unit when its words name it (`Paying workspaces >
    30` in a plan of workspaces) or the baseline's count (`**Tenants**: 12 client sites`
    and `Client sites > 25`), and every such trigger sits between the tier before and its
    own tier (`Paying readers > 2,000` under a 20K → 100K readers tier counts a part of
    them, not them). With none, the metric is the unit itself (`orders`), added to the
    plan's metrics so samples of it are taken. A plan of users keeps `mau`."""
    unit = data.get("growth_unit")
    if not unit:
        return {}
    units = data.get("growth_units") or f"{unit}s"
    names = {_snake(unit), _snake(units)}
    baseline = data.get("baseline") or {}
    counted = _COUNTED.search(str(baseline.get("users_note") or ""))
    if counted is not None:
        names.add(_snake(counted["words"]))
    fits: dict[str, bool] = {}
    previous = baseline.get("users") or 0
    for tier in data.get("tiers") or []:
        for trigger in tier.get("triggers") or []:
            rule = trigger.get("rule") if isinstance(trigger, dict) else None
            if not isinstance(rule, dict) or not _counts_unit(str(rule.get("metric")), names):
                continue
            value = rule.get("value") or 0
            inside = rule.get("op") in (">", ">=") and previous < value <= (tier.get("users") or 0)
            fits[rule["metric"]] = fits.get(rule["metric"], True) and inside
        previous = tier.get("users") or previous
    found = next((metric for metric, inside in fits.items() if inside), None)
    if found is not None:
        return {"users_metric": found}
    name = _snake(units)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
        return {}  # no metric id can say it: the plan keeps `mau`
    metrics = list(data.get("metrics") or [])
    if name and not any(m.get("name") == name for m in metrics):
        # No unit: the description names what is counted (`Orders: 2,500`).
        metrics.append({"name": name, "description": units.capitalize(), "unit": ""})
    return {"users_metric": name, "metrics": metrics}
