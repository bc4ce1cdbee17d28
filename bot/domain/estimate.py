"""An Infracost estimate (`infracost breakdown|diff --format json`) against the plan's
budgets. Pure.

Read from Infracost's JSON: `totalMonthlyCost` (the monthly cost after the change),
`pastTotalMonthlyCost` (before it; `diff` output has it) and `diffTotalMonthlyCost`,
each a decimal string or null, and `currency`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.domain.bills import amount_of
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money
from bot.domain.plan import Plan

__all__ = ["Estimate", "EstimateError", "estimate_words", "read_estimate"]

EXAMPLE = '{"currency": "USD", "pastTotalMonthlyCost": "95", "totalMonthlyCost": "133"}'


class EstimateError(ValueError):
    """The body is no Infracost estimate we can read; the message says which field."""


@dataclass(frozen=True)
class Estimate:
    total: Decimal
    past: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.past is None else self.total - self.past

    @property
    def key(self) -> str:
        """The same estimate twice is one message."""
        return f"estimate:{self.past}:{self.total}"


def _money(body: dict[str, Any], field: str, *, required: bool) -> Decimal | None:
    raw = body.get(field)
    if raw is None or raw == "":
        if required:
            raise EstimateError(f"{field} is missing; expected Infracost's JSON, e.g. {EXAMPLE}")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise EstimateError(f"{field} must be a number or a decimal string")
    try:
        value = amount_of(str(raw))
    except ValueError as exc:
        raise EstimateError(f"{field}: {exc}") from None
    if value < 0:
        raise EstimateError(f"{field} is negative")
    return Decimal(str(raw)).quantize(Decimal("0.01"))


def read_estimate(body: Any, currency: str) -> Estimate:
    if not isinstance(body, dict):
        raise EstimateError(f"the body must be Infracost's JSON object, e.g. {EXAMPLE}")
    code = body.get("currency") or "USD"
    if not isinstance(code, str) or code.upper() != currency:
        raise EstimateError(
            f"currency {str(code)[:8]} is not the plan's currency {currency}:"
            f" run infracost with --currency {currency} (no exchange rate is invented)"
        )
    total = _money(body, "totalMonthlyCost", required=True)
    past = _money(body, "pastTotalMonthlyCost", required=False)
    assert total is not None
    return Estimate(total, past)


def estimate_words(plan: Plan, estimate: Estimate) -> str:
    """`+$38/mo → $133/mo: over Tier 1's $95 budget by $38; Tier 2 is budgeted at $415`."""
    built = plan.built_tier
    costs = tier_costs(plan)
    budget = costs[built].total
    change = estimate.change
    head = (
        f"{fmt_money(estimate.total)}/mo estimated"
        if change is None
        else f"no change: {fmt_money(estimate.total)}/mo"
        if change == 0
        else f"{fmt_money(change, sign=True)}/mo → {fmt_money(estimate.total)}/mo"
    )
    over = estimate.total - budget
    if over > 0:
        words = f"{head}: over Tier {built}'s {fmt_money(budget)} budget by {fmt_money(over)}"
        above = next((c for c in costs[built + 1 :] if c.total >= estimate.total), None)
        if above is not None:
            words += f"; Tier {above.number} is budgeted at {fmt_money(above.total)}"
        elif built < len(costs) - 1:
            words += f"; even the top tier is budgeted at {fmt_money(costs[-1].total)}"
        return words
    return f"{head}: within Tier {built}'s {fmt_money(budget)} budget ({fmt_money(-over)} left)"
