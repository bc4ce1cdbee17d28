"""FOCUS (FinOps Open Cost and Usage Specification, 1.0 and later) CSV -> cost lines. Pure.

Columns are found by name in any order; others are ignored. `NULL` and empty cells are
absent. The cost is `BilledCost` or `EffectiveCost` (the plan's `costs.amount`), summed
with the sign it arrives with: credits are already negative. A row is kept whole at its
`ChargePeriodStart` when it is a Purchase or its `ChargeFrequency` is One-Time or
Recurring; any other row (usage, and usage-based tax, credit or adjustment) is spread
over its charge period. A Correction row counts in the charge period it names, which is
the period it corrects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter

from bot.domain.bills import CostLine, Problems, amount_of, formula_problem

__all__ = ["CATEGORIES", "FREQUENCIES", "REQUIRED", "is_focus_header", "read_focus"]

CATEGORIES = {c.casefold(): c for c in ("Usage", "Purchase", "Tax", "Credit", "Adjustment")}
FREQUENCIES = {f.casefold(): f for f in ("One-Time", "Recurring", "Usage-Based")}
REQUIRED = (
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
)
# Text columns kept on the line (FOCUS name -> CostLine field).
_TEXT = {
    "ProviderName": "provider",
    "ServiceName": "service",
    "ServiceCategory": "service_category",
    "ResourceId": "resource",
    "ChargeDescription": "note",
}
_ABSENT = frozenset({"", "NULL", "null"})
# The order `read_focus` picks cells in, after the cost column.
_PICKED = (*REQUIRED, "ChargeClass", "ChargeFrequency", "Tags", *_TEXT)


def is_focus_header(cells: list[str]) -> bool:
    names = {c.strip() for c in cells}
    return "ChargePeriodStart" in names and ("BilledCost" in names or "EffectiveCost" in names)


class _Times:
    """ISO 8601 -> unix seconds, remembered: an export repeats the same few hundred times."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        found = self.seen.get(text)
        if found is None:
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    f"{text[:40]!r} is not an ISO 8601 time, e.g. 2026-12-01T00:00:00Z"
                ) from None
            if at.tzinfo is None:  # FOCUS datetimes are UTC
                at = at.replace(tzinfo=UTC)
            found = self.seen[text] = at.timestamp()
        return found


def _tags(text: str, seen: dict[str, str]) -> str:
    found = seen.get(text)
    if found is None:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError('Tags must be a JSON object, e.g. {"team": "api"}')
        found = seen[text] = json.dumps(
            {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()},
            sort_keys=True,
        )
    return found


def read_focus(
    header: list[str],
    records: Iterable[tuple[int, list[str]]],
    problems: Problems,
    *,
    amount: str,
    currency: str,
) -> Iterator[CostLine]:
    """Every row of a FOCUS export as a cost line; each bad one goes to `problems`.

    Written for speed (100,000 rows in about a second): cells are picked by position
    with one itemgetter, and every distinct text is checked once."""
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in (amount, *REQUIRED) if c not in index]
    if missing:
        problems.add(1, f"FOCUS columns missing: {', '.join(missing)}")
        return
    width = len(header)
    # An absent optional column reads the empty cell appended to each row.
    pick = itemgetter(index[amount], *(index.get(name, width) for name in _PICKED))
    times = _Times()
    tag_memo: dict[str, str] = {}
    periods: dict[str, str] = {}
    checked: set[str] = {""}
    accounts: set[str] = set()
    kinds: dict[tuple[str, str, str], str | None] = {}
    wrong: dict[str, tuple[int, int]] = {}
    for line, cells in records:
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue  # a blank line
            problems.add(line, f"{len(cells)} cells where the header has {width}")
            continue
        cells.append("")
        row = ["" if v in _ABSENT else v for v in pick(cells)]
        cost_text, account, code, period_text, category_text, start_text, end_text = row[:7]
        charge_class, frequency_text, tags_text = row[7:10]
        texts = row[10:]
        if all(row[:7]):
            kind = (category_text, frequency_text, charge_class)
            why = kinds[kind] if kind in kinds else kinds.setdefault(kind, _kind_problem(*kind))
        else:
            why = _empty(row, amount)
        if why is None and not checked.issuperset(row[10:]):
            for name, text in zip(_TEXT, texts, strict=True):
                if text and text not in checked:
                    why = formula_problem(name, text)
                    if why:
                        break
                    checked.add(text)
        if why is None and account not in accounts:
            why = formula_problem("BillingAccountId", account)
            if why is None:
                accounts.add(account)
        if why:
            problems.add(line, why)
            continue
        code = code.upper()
        if code != currency:
            first, count = wrong.get(code, (line, 0))
            wrong[code] = (first, count + 1)
            continue
        try:
            cost = amount_of(cost_text)
            start = times(start_text)
            end = times(end_text)
            period = periods.get(period_text)
            if period is None:
                at = datetime.fromtimestamp(times(period_text), UTC)
                period = periods[period_text] = at.date().isoformat()
            tags = _tags(tags_text, tag_memo) if tags_text else ""
        except ValueError as exc:
            problems.add(line, str(exc))
            continue
        if end < start:
            problems.add(line, "ChargePeriodEnd is before ChargePeriodStart")
            continue
        category = CATEGORIES[category_text.casefold()]
        frequency = FREQUENCIES.get(frequency_text.casefold(), "")
        whole = category == "Purchase" or frequency in ("One-Time", "Recurring") or end == start
        provider, service, service_category, resource, note = texts
        yield CostLine(
            start,
            end,
            whole,
            cost,
            category,
            line,
            account,
            period,
            provider,
            service,
            service_category,
            resource,
            tags,
            "",
            "",
            note,
            bool(charge_class),
        )
    for code, (first, count) in wrong.items():
        rows = "1 row" if count == 1 else f"{count:,} rows"
        problems.add(
            first,
            f"BillingCurrency is {code} ({rows}), but the plan's currency is {currency}:"
            f" export the bill in {currency} (no exchange rate is invented)",
        )


def _empty(row: list[str], amount: str) -> str | None:
    for name, value in zip((amount, *REQUIRED), row[:7], strict=True):
        if not value:
            return f"{name} is empty; FOCUS requires it"
    return None


def _kind_problem(category: str, frequency: str, charge_class: str) -> str | None:
    """What is wrong with a row's ChargeCategory, ChargeFrequency and ChargeClass."""
    if category.casefold() not in CATEGORIES:
        return f"ChargeCategory {category[:40]!r} is not one of {', '.join(CATEGORIES.values())}"
    if frequency and frequency.casefold() not in FREQUENCIES:
        return f"ChargeFrequency {frequency[:40]!r} is not one of {', '.join(FREQUENCIES.values())}"
    if charge_class and charge_class.casefold() != "correction":
        return f"ChargeClass {charge_class[:40]!r} is not Correction (or empty)"
    return None
