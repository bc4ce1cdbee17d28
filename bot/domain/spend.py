"""Planned against actual per component: the month so far, its forecast, what nobody placed.

Pure: the cost sums come in (what the store summed over windows), the plan gives the
rest. The forecast to the month's end is the month so far plus the daily run rate of the
last week of spread (usage) cost times the days the bills do not reach yet; monthly
charges already seen are in the month so far and are not extrapolated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from bot.domain.bill_read import plan_components
from bot.domain.cost_plan import CostRule, LineKey
from bot.domain.costs import tier_costs
from bot.domain.plan import Plan

__all__ = [
    "RUN_RATE_DAYS",
    "UNASSIGNED",
    "ComponentSpend",
    "LineSum",
    "Mover",
    "Spend",
    "UnassignedLine",
    "month_bounds",
    "planned_costs",
    "spend",
]

RUN_RATE_DAYS = 7
UNASSIGNED = "Unassigned"
DAY = timedelta(days=1)


class LineSum(Protocol):
    """One kind of bill line summed over a window (`store.costs.CostSum` is one)."""

    @property
    def provider(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def service_category(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def tags(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    @property
    def component(self) -> str: ...
    @property
    def whole(self) -> bool: ...
    @property
    def amount(self) -> float: ...


@dataclass(frozen=True)
class ComponentSpend:
    name: str
    planned: Decimal | None  # None: no plan figure (unassigned cost)
    actual: Decimal
    forecast: Decimal

    @property
    def over_percent(self) -> Decimal | None:
        """How far the forecast is over the planned cost, in percent (None without a plan)."""
        if self.planned is None or self.planned <= 0:
            return None
        return (self.forecast - self.planned) * 100 / self.planned


@dataclass(frozen=True)
class UnassignedLine:
    label: str
    amount: Decimal
    rule: str  # the mapping rule that would catch it


@dataclass(frozen=True)
class Mover:
    name: str
    before: Decimal
    now: Decimal

    @property
    def change(self) -> Decimal:
        return self.now - self.before


@dataclass(frozen=True)
class Spend:
    month: datetime  # first instant of the month (UTC)
    now: datetime
    covered_until: datetime | None  # how far the bills reach; None: no bill this month
    budget: Decimal  # the built tier's monthly cost
    tier: int
    components: tuple[ComponentSpend, ...]
    unplaced: Decimal  # planned cost no line-item split places
    unassigned: ComponentSpend
    unassigned_lines: tuple[UnassignedLine, ...]
    movers: tuple[Mover, ...]
    previous_month: datetime
    # Of `actual`: what OpenCost's allocation supplies, for days no bill covers.
    opencost: Decimal = Decimal(0)

    @property
    def actual(self) -> Decimal:
        return sum((c.actual for c in self.components), self.unassigned.actual)

    @property
    def forecast(self) -> Decimal:
        return sum((c.forecast for c in self.components), self.unassigned.forecast)

    @property
    def covered(self) -> bool:
        return self.covered_until is not None

    @property
    def unassigned_share(self) -> Decimal:
        """Unassigned cost as a percentage of the month's actual cost so far."""
        total = self.actual
        return self.unassigned.actual * 100 / total if total > 0 else Decimal(0)


def month_bounds(at: datetime) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of `at`'s month, in UTC (bills are)."""
    at = at.astimezone(UTC)
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    nxt = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return start, nxt


def planned_costs(plan: Plan) -> tuple[dict[str, Decimal], Decimal]:
    """Planned monthly cost per component at the built tier, and what no split places.

    A component's share of each baseline line item (split by the mapping's shares, or the
    whole item), plus its cost changes of every tier up to the built one. What is left of
    the tier's total (items nobody split, a budget above its line items) is unplaced.
    """
    planned: dict[str, Decimal] = {name: Decimal(0) for name in plan_components(plan)}
    spelled = {name.casefold(): name for name in planned}
    for item in plan.baseline.line_items:
        split = plan.costs.split_of(item.name)
        if split is None:
            continue
        for component, part in split.parts().items():
            name = spelled.setdefault(component.casefold(), component)
            planned[name] = planned.get(name, Decimal(0)) + item.cost * part
    for tier in plan.tiers[: plan.built_tier]:
        for change in tier.changes:
            name = spelled.setdefault(change.component.casefold(), change.component)
            planned[name] = planned.get(name, Decimal(0)) + change.cost_change
    total = tier_costs(plan)[plan.built_tier].total
    return planned, total - sum(planned.values(), Decimal(0))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


class _Placer:
    """Which component each kind of line belongs to, remembered per kind."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.spelled = {name.casefold(): name for name in plan_components(plan)}
        self.memo: dict[tuple[str, ...], str] = {}

    def __call__(self, line: LineSum) -> str:
        key: LineKey = (
            line.provider,
            line.service,
            line.service_category,
            line.resource,
            line.tags,
            line.vendor,
        )
        memo_key = (*key, line.component)
        found = self.memo.get(memo_key)
        if found is None:
            if line.component:
                found = self.spelled.get(line.component.casefold(), line.component)
            else:
                named, _ = self.plan.costs.component_of(key, _tags(line.tags))
                found = UNASSIGNED if named is None else self.spelled.get(named.casefold(), named)
            self.memo[memo_key] = found
        return found


def _tags(text: str) -> dict[str, str]:
    return dict(json.loads(text)) if text else {}


def _by_component(
    lines: Iterable[LineSum], place: _Placer, *, spread_only: bool = False
) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for line in lines:
        if spread_only and line.whole:
            continue
        out[place(line)] += line.amount
    return out


def spend(
    plan: Plan,
    now: datetime,
    month: datetime,
    so_far: Sequence[LineSum],
    recent: Sequence[LineSum],
    previous: Sequence[LineSum],
    covered_until: datetime | None,
    spread_until: datetime | None,
) -> Spend:
    """The month of `month` as of `now`: `so_far` summed from the month's start to `now`
    (or its end), `recent` the run-rate window that `run_rate_window` gives, `previous`
    the whole month before."""
    start, end = month_bounds(month)
    place = _Placer(plan)
    actual = _by_component(so_far, place)
    rate_window = run_rate_window(start, spread_until)
    days = (rate_window[1] - rate_window[0]) / DAY if rate_window else 0
    rate = {k: v / days for k, v in _by_component(recent, place, spread_only=True).items()}
    # The days the spread bills do not reach yet, up to the month's end.
    left = max(end - spread_until, timedelta(0)) / DAY if spread_until and days else 0
    if now >= end:
        left = 0  # a month that is over: its bills are what it cost
    planned, unplaced = planned_costs(plan)
    names = [*planned, *sorted(k for k in actual if k not in planned and k != UNASSIGNED)]

    def row(name: str, plan_figure: Decimal | None) -> ComponentSpend:
        so = actual.get(name, 0.0)
        return ComponentSpend(
            name, plan_figure, _money(so), _money(so + rate.get(name, 0.0) * left)
        )

    components = tuple(row(name, planned.get(name, Decimal(0))) for name in names)
    unassigned = row(UNASSIGNED, None)
    before = _by_component(previous, place)
    movers = sorted(
        (
            Mover(name, _money(before.get(name, 0.0)), c.forecast)
            for name, c in ((c.name, c) for c in (*components, unassigned))
            if before.get(name) or c.forecast
        ),
        key=lambda m: abs(m.change),
        reverse=True,
    )
    prev_start = month_bounds(start - DAY)[0]
    return Spend(
        month=start,
        now=now,
        covered_until=covered_until,
        budget=tier_costs(plan)[plan.built_tier].total,
        tier=plan.built_tier,
        components=components,
        unplaced=unplaced,
        unassigned=unassigned,
        unassigned_lines=_largest_unassigned(so_far, place),
        movers=tuple(m for m in movers[:3] if m.change),
        previous_month=prev_start,
    )


def run_rate_window(
    month_start: datetime, spread_until: datetime | None
) -> tuple[datetime, datetime] | None:
    """The last `RUN_RATE_DAYS` days the spread bills reach (fewer early in the month)."""
    if spread_until is None or spread_until <= month_start:
        return None
    return max(month_start, spread_until - RUN_RATE_DAYS * DAY), spread_until


def _largest_unassigned(lines: Iterable[LineSum], place: _Placer) -> tuple[UnassignedLine, ...]:
    """The five largest kinds of cost no rule places, each with the rule that would."""
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    example: dict[tuple[str, str, str], LineSum] = {}
    for line in lines:
        if place(line) != UNASSIGNED:
            continue
        key = (line.vendor or line.provider, line.service, line.service_category)
        sums[key] += line.amount
        example.setdefault(key, line)
    top = sorted(sums.items(), key=lambda kv: abs(kv[1]), reverse=True)[:5]
    components = plan_components(place.plan)
    return tuple(
        UnassignedLine(_label(example[key]), _money(amount), _suggest(example[key], components))
        for key, amount in top
    )


def _label(line: LineSum) -> str:
    parts = [line.vendor or line.provider or "(no provider)"]
    if line.service:
        parts.append(line.service)
    return " · ".join(parts)


def _suggest(line: LineSum, components: Sequence[str]) -> str:
    """A rule that catches this line, naming the component that its words suggest."""
    words = " ".join((line.vendor, line.service, line.service_category, line.tags)).casefold()
    guess = next((c for c in components if c.casefold() in words), "COMPONENT")
    if line.vendor:
        return CostRule(vendor=line.vendor, component=guess).text()
    if line.service:
        return CostRule(
            provider=line.provider or None, service=line.service, component=guess
        ).text()
    if line.provider:
        return CostRule(provider=line.provider, component=guess).text()
    return CostRule(resource=line.resource or "*", component=guess).text()
