"""Trigger and threshold wording -> a metric rule: "API p95 over 600ms for 15 minutes".

The words that name a metric come from the catalog: each metric's name and description,
plus the usual words for the template's own metrics ("MAU", "Database CPU", "RAM").
A number in the metric's own unit (or one that converts: 1s = 1000ms, 2TB = 2000GB) is
`exact`; a number read through an assumption (80% of a count's limit, "target" looked up
in the targets table) is not, so a disagreement with it is only worth a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.qualifiers import qualified
from bot.domain.rules import MetricRule, parse_duration

__all__ = ["RuleContext", "TextRule", "parse_rule_text"]

# The usual words for the embedded plan's metrics; a plan's own metrics add theirs.
USUAL_WORDS: dict[str, tuple[str, ...]] = {
    "mau": ("monthly active users", "active users", "mau", "users"),
    "api_p95_ms": (
        "api response time p95",
        "p95 response time",
        "response time p95",
        "api response time",
        "response time",
        "api p95",
        "latency",
        "p95",
    ),
    "db_connections": ("database connections", "db connections", "connections"),
    "db_cpu_pct": ("database cpu", "db cpu"),
    "storage_gb": ("storage usage", "storage", "disk"),
    "storage_pct": ("storage usage", "storage", "disk"),
    "cpu_pct": ("cpu utilization", "cpu utilisation", "cpu"),
    "ram_pct": ("ram", "memory"),
    "error_rate_pct": ("error rate", "errors"),
    "revenue_usd": ("revenue", "mrr"),
    "cost_usd": ("infrastructure cost", "cost", "spend"),
}

_OPS = (
    (r">=|≥|at least", ">="),
    (r"<=|≤|at most", "<="),
    (r">|above|over|more than|greater than|exceeds?|exceeding", ">"),
    (r"<|below|under|less than|fewer than", "<"),
)
_OP = re.compile(r"(?<![\w-])(" + "|".join(p for p, _ in _OPS) + r")(?![\w])", re.IGNORECASE)
_NUMBER = re.compile(
    r"\s*(?P<dollar>[$€£]|CHF\s?)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>[kKmM](?![a-zA-Z]))?\s*(?P<unit>ms|sec|secs|seconds|second|s|minutes|mins|min"
    r"|hours|hour|h|GB|TB|MB|%)?(?![\w])",
    re.IGNORECASE,
)
_FOR = re.compile(
    r"\bfor\s+(\d+(?:\.\d+)?\s*(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d"
    r"|weeks?|w))\b",
    re.IGNORECASE,
)
_OF_BUDGET = re.compile(r"\s*of\s+(?:the\s+)?budget\b", re.IGNORECASE)
_TARGET = re.compile(r"^\s*(the\s+)?target\b", re.IGNORECASE)
_TIME = {"ms": Decimal("0.001"), "s": Decimal(1), "sec": Decimal(1), "secs": Decimal(1)}
_TIME |= {"second": Decimal(1), "seconds": Decimal(1), "min": Decimal(60), "mins": Decimal(60)}
_TIME |= {"minutes": Decimal(60), "h": Decimal(3600), "hour": Decimal(3600)}
_TIME |= {"hours": Decimal(3600)}
_SIZE = {"mb": Decimal("0.001"), "gb": Decimal(1), "tb": Decimal(1000)}


@dataclass(frozen=True)
class RuleContext:
    """What reading a text needs from the plan around it."""

    # metric name -> (unit, words that name it), in catalog order
    metrics: Mapping[str, tuple[str, tuple[str, ...]]]
    # metric name -> the count that 100% of it means (db_connections -> max connections)
    limits: Mapping[str, Decimal] = field(default_factory=dict)
    # lower-case target row name -> the baseline's value text ("api p95" -> "< 500ms")
    targets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        metrics: Iterable[tuple[str, str, str]],
        limits: Mapping[str, Decimal] | None = None,
        targets: Mapping[str, str] | None = None,
        extra_words: Mapping[str, Iterable[str]] | None = None,
    ) -> RuleContext:
        """`metrics` are (name, unit, description) triples."""
        table: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, unit, description in metrics:
            words = [*USUAL_WORDS.get(name, ()), *(extra_words or {}).get(name, ())]
            words += [name.replace("_", " "), name, description]
            cleaned = tuple(dict.fromkeys(w.strip().lower() for w in words if w.strip()))
            table[name] = (unit, cleaned)
        return cls(table, dict(limits or {}), {k.lower(): v for k, v in (targets or {}).items()})


@dataclass(frozen=True)
class TextRule:
    rule: MetricRule
    exact: bool  # the text's number is in the metric's own unit
    number_text: str  # the number as the text writes it: "8,000", "1s", "$100K"


def _unit_kind(unit: str) -> str:
    unit = unit.strip().lower()
    if unit == "%":
        return "percent"
    if unit in ("ms", "s"):
        return "time"
    if unit in ("gb", "tb", "mb"):
        return "size"
    if unit in ("$", "usd"):
        return "money"
    return "count"


def _number_kind(unit: str | None, dollar: bool) -> str:
    if dollar:
        return "money"
    if not unit:
        return "count"
    lowered = unit.lower()
    if lowered == "%":
        return "percent"
    if lowered in _SIZE:
        return "size"
    return "time"


def _find_metric(subject: str, kind: str, ctx: RuleContext) -> tuple[str, str] | None:
    """The metric whose longest naming word appears in `subject`, preferring a unit match."""
    lowered = " " + re.sub(r"[^\w%$ ]+", " ", subject.lower()) + " "
    best: tuple[int, int, int, str] | None = None
    for order, (name, (unit, words)) in enumerate(ctx.metrics.items()):
        for word in words:
            if f" {word} " not in lowered:
                continue
            fits = _unit_kind(unit) == kind or (kind == "percent" and name in ctx.limits)
            score = (1 if fits else 0, len(word), -order, name)
            if best is None or score[:3] > best[:3]:
                best = score
    if best is None:
        return None
    return best[3], ctx.metrics[best[3]][0]


def _value(match: re.Match[str]) -> Decimal:
    number = Decimal(match.group("num").replace(",", ""))
    suffix = (match.group("suffix") or "").lower()
    if suffix == "k":
        number *= 1000
    elif suffix == "m":
        number *= 1_000_000
    return number


def _convert(number: Decimal, unit: str | None, metric_unit: str) -> Decimal:
    kind = _unit_kind(metric_unit)
    if kind == "time" and unit:
        seconds = number * _TIME[unit.lower()]
        return seconds * 1000 if metric_unit.lower() == "ms" else seconds
    if kind == "size" and unit:
        return number * _SIZE[unit.lower()] / _SIZE.get(metric_unit.lower(), Decimal(1))
    return number


def _as_float(value: Decimal) -> float:
    return float(value.normalize())


def parse_rule_text(text: str, ctx: RuleContext) -> TextRule | None:
    """The rule a text states, or None when it states no comparison with a number."""
    op_match = _OP.search(text)
    if op_match is None:
        return None
    word = op_match.group(1).lower()
    op = next(symbol for pattern, symbol in _OPS if re.fullmatch(pattern, word, re.IGNORECASE))
    subject, rest = text[: op_match.start()], text[op_match.end() :]
    subject, unknown = qualified(subject)
    if unknown is not None:
        return None  # `Redis CPU`: neither the database's nor the API's; never a guess
    duration = _FOR.search(rest)
    seconds = parse_duration(duration.group(1)) if duration else 0
    number = _NUMBER.match(rest)
    exact = True
    if number is None:
        # "p95 response time > target": the number is the baseline's target of that name.
        target = _target_for(subject, ctx) if _TARGET.match(rest) else None
        if target is None:
            return None
        value, unit, dollar, number_text = target
        exact = False
    else:
        value, unit, dollar = _value(number), number.group("unit"), bool(number.group("dollar"))
        number_text = number.group(0).strip()
    kind = _number_kind(unit, dollar)
    # "Cost > 150% of budget": a share of the built tier's budget (money metrics only).
    of_budget = (
        kind == "percent" and number is not None and bool(_OF_BUDGET.match(rest, number.end()))
    )
    found = _find_metric(subject, "money" if of_budget else kind, ctx)
    if found is None:
        return None
    name, metric_unit = found
    metric_kind = _unit_kind(metric_unit)
    if of_budget:
        if metric_kind != "money":
            return None
        number_text += " of budget"
    elif kind == metric_kind or (kind == "count" and metric_kind in ("percent", "money")):
        # "MAU > 800", "CPU > 70" (a bare number over a percentage), "Revenue > 100K"
        value = _convert(value, unit, metric_unit)
    elif kind == "percent" and name in ctx.limits:
        value = value * ctx.limits[name] / 100
        exact = False
    elif kind == "time" and metric_kind == "time":
        value = _convert(value, unit, metric_unit)
    else:
        return None
    rule = MetricRule(
        metric=name, op=op, value=_as_float(value), for_seconds=seconds, of_budget=of_budget
    )
    return TextRule(rule=rule, exact=exact, number_text=number_text)


def _target_for(subject: str, ctx: RuleContext) -> tuple[Decimal, str | None, bool, str] | None:
    """`p95 response time > target`: the baseline's value of the target row it names."""
    words = set(re.findall(r"\w+", subject.lower()))
    best: tuple[int, str] | None = None
    for name, value in ctx.targets.items():
        overlap = len(words & set(re.findall(r"\w+", name)))
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, value)
    if best is None:
        return None
    number = _NUMBER.search(best[1])
    if number is None:
        return None
    return _value(number), number.group("unit"), bool(number.group("dollar")), "target"
