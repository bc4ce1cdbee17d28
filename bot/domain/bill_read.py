"""A bill file, whichever kind: FOCUS or the plain CSV, told apart by the header. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from bot.domain.bills import BillRefused, CostLine, Problems, text_lines
from bot.domain.cost_plan import plan_currency
from bot.domain.focus import is_focus_header, read_focus
from bot.domain.money import fmt_money, in_currency
from bot.domain.plain_bill import EXAMPLE, is_plain_header, read_plain
from bot.domain.plan import Plan

__all__ = ["Bill", "fmt_amount", "import_summary", "plan_components", "read_bill"]

_FOCUS_EXAMPLE = (
    "a FOCUS export (BilledCost, BillingAccountId, BillingCurrency, BillingPeriodStart,"
    " ChargeCategory, ChargePeriodStart, ChargePeriodEnd, ...) or\n" + EXAMPLE
)


@dataclass(frozen=True)
class Bill:
    kind: Literal["focus", "plain"]
    lines: list[CostLine]

    @property
    def total(self) -> float:
        return sum(line.amount for line in self.lines)


def plan_components(plan: Plan) -> list[str]:
    """The plan's components: those its tiers change, then those its line-item splits name."""
    names: dict[str, str] = {}
    for tier in plan.tiers:
        for change in tier.changes:
            names.setdefault(change.component.casefold(), change.component)
    for split in plan.costs.line_items:
        for component in split.parts():
            names.setdefault(component.casefold(), component)
    return list(names.values())


def read_bill(raw: Iterable[bytes], plan: Plan) -> Bill:
    """Every line of the file, or BillRefused naming every bad line (nothing is half read)."""
    problems = Problems()
    records = text_lines(raw, problems)
    first = next(records, None)
    currency = plan_currency(plan)
    lines: list[CostLine]
    if first is None:
        raise BillRefused(problems.lines() or ["the file is empty"], _FOCUS_EXAMPLE)
    _, header = first
    if is_focus_header(header):
        kind: Literal["focus", "plain"] = "focus"
        lines = list(
            read_focus(header, records, problems, amount=plan.costs.amount, currency=currency)
        )
    else:
        kind = "plain"
        known = {c.casefold(): c for c in plan_components(plan)}
        named = header if is_plain_header(header) else None
        rows = records if named else _again(first, records)
        lines = list(read_plain(named, rows, problems, currency=currency, components=known))
    if problems:
        raise BillRefused(problems.lines(), _FOCUS_EXAMPLE)
    if not lines:
        raise BillRefused(["the file holds no charges"], _FOCUS_EXAMPLE)
    return Bill(kind, lines)


def _again(
    first: tuple[int, list[str]], rest: Iterable[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest


def fmt_amount(amount: float | Decimal, currency: str) -> str:
    """A bill amount to the cent in the plan's currency: `$99.50`, `-$5`, `€12.40`."""
    with in_currency(currency):
        return fmt_money(Decimal(str(round(float(amount), 2))))


def import_summary(
    name: str,
    kind: str,
    lines: int,
    total: float,
    replaced: int,
    duplicate_of: datetime | None,
    currency: str,
) -> str:
    """One line on what an import did, for the terminal and the HTTP answer."""
    label = "FOCUS export" if kind == "focus" else "plain bill"
    if duplicate_of is not None:
        when = duplicate_of.strftime("%Y-%m-%d %H:%M UTC")
        return f"{name}: this {label} was imported on {when}; nothing added"
    restated = f", replacing {replaced:,} line(s) it restates" if replaced else ""
    return f"{name}: {label}, {lines:,} line(s), {fmt_amount(total, currency)}{restated}"
