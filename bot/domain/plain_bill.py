"""The plain bill: `date, vendor, amount[, currency, component, note]` CSV -> cost lines. Pure.

For the invoices of SaaS vendors that export no FOCUS. `date` is a day (`2026-12-03`: that
day's cost, which the month's forecast extrapolates) or a month (`2026-12`: a monthly
charge, counted once). A header row (`date,vendor,amount,...`) is optional; with one,
columns are found by name in any order. Two identical lines are two charges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from bot.domain.bills import CostLine, Problems, amount_of, formula_problem

__all__ = ["COLUMNS", "EXAMPLE", "is_plain_header", "read_plain"]

COLUMNS = ("date", "vendor", "amount", "currency", "component", "note")
EXAMPLE = "date,vendor,amount\n2026-12-03,Railway,1.05\n2026-12,Clerk,25"


def is_plain_header(cells: list[str]) -> bool:
    names = [c.strip().casefold() for c in cells]
    return {"date", "vendor", "amount"} <= set(names) and set(names) <= set(COLUMNS)


def _day(text: str) -> tuple[float, float, bool]:
    """(start, end, whole) of a day or a month."""
    try:
        if len(text) == 7:
            first = date.fromisoformat(f"{text}-01")
            month = datetime(first.year, first.month, 1, tzinfo=UTC).timestamp()
            return month, month, True
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"date {text[:40]!r} is not a day (2026-12-03) or a month (2026-12)"
        ) from None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start.timestamp(), (start + timedelta(days=1)).timestamp(), False


def read_plain(
    header: list[str] | None,
    records: Iterable[tuple[int, list[str]]],
    problems: Problems,
    *,
    currency: str,
    components: dict[str, str],
) -> Iterator[CostLine]:
    """Every line as a cost line; `components` maps a casefolded name to the plan's own
    spelling, so a `component` cell names one of the plan's components or is refused."""
    names = [c.strip().casefold() for c in header] if header else list(COLUMNS)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 3 or len(cells) > len(names):
            problems.add(
                line, f"{len(cells)} cells; write date,vendor,amount[,currency,component,note]"
            )
            continue
        row = {name: cells[i].strip() for i, name in enumerate(names) if i < len(cells)}
        try:
            yield _line(line, row, currency, components)
        except ValueError as exc:
            problems.add(line, str(exc))


def _line(line: int, row: dict[str, str], currency: str, components: dict[str, str]) -> CostLine:
    for name in ("vendor", "component", "note"):
        why = formula_problem(name, row.get(name, ""))
        if why:
            raise ValueError(why)
    if not row.get("vendor"):
        raise ValueError("vendor is empty")
    start, end, whole = _day(row.get("date", ""))
    amount = amount_of(row.get("amount", ""))
    code = row.get("currency", "").upper()
    if code and code != currency:
        raise ValueError(
            f"currency {code[:8]} is not the plan's currency {currency}:"
            " give the amount in the plan's currency (no exchange rate is invented)"
        )
    named = row.get("component", "")
    component = components.get(named.casefold()) if named else ""
    if component is None:
        known = ", ".join(sorted(components.values())) or "none"
        raise ValueError(f"the plan has no component {named[:40]!r} (it has {known})")
    return CostLine(
        start=start,
        end=end,
        whole=whole,
        amount=amount,
        category="Plain",
        line=line,
        vendor=row["vendor"],
        component=component,
        note=row.get("note", ""),
    )
