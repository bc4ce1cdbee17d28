"""What each panel of the digest chart shows, in words a reader knows. Pure.

A panel is titled with the plan's description of its metric ("Monthly active users"),
its axis carries the unit, its threshold line says which rule it is and its value, and
the forecast's crossing date is given when there is one. The last panel is the month's
cost against the budget of the tier the team pays for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.digest.build import chart_data, current_tier, headroom
from bot.digest.data import SAMPLE_WINDOW, DigestInput
from bot.domain.costs import tier_costs
from bot.domain.money import fmt_money
from bot.domain.monitoring import Sample, require_aware
from bot.domain.plan import Plan
from bot.monitor.forecast import Trend

__all__ = [
    "MAX_PANELS",
    "Bar",
    "Panel",
    "budget_tier",
    "chart_panels",
    "metric_title",
    "trigger_words",
]

# Four metrics and the cost: each panel stays readable when Slack shows the image 400 px wide.
MAX_PANELS = 4
_TITLE_MAX = 44
# A threshold label's trigger words: "Tier 1 trigger: " and these fill about 3/4 of a panel.
_WORDS_MAX = 34


@dataclass(frozen=True)
class Bar:
    """One component in the cost panel: planned, the month so far, the forecast."""

    name: str
    planned: float
    actual: float
    forecast: float


@dataclass(frozen=True)
class Panel:
    title: str
    # The axis label: `users`, `ms`, `$/mo`.
    unit: str
    samples: Sequence[Sample]
    threshold: float | None = None
    # `Tier 1 trigger: MAU > 800`, `Budget $40/mo (Tier 0)`.
    threshold_label: str | None = None
    trend: Trend | None = None
    crosses_at: datetime | None = None
    # The cost panel from bills: bars per component instead of a line over time.
    bars: tuple[Bar, ...] = ()


def metric_title(plan: Plan, metric: str) -> tuple[str, str]:
    """(title, unit) from the plan: `("Monthly active users", "users")`; the metric's own
    name when the plan does not describe it."""
    found = plan.metric(metric)
    title = found.description if found and found.description else metric
    if len(title) > _TITLE_MAX:
        title = title[: _TITLE_MAX - 1].rstrip() + "…"
    unit = found.unit if found else ""
    if unit == "$":
        # Money is the plan's: `€/mo` on a euro plan's cost axis (the unit says only money).
        unit = plan.currency_symbol.strip()
        if metric == plan.cost_metric:
            unit += "/mo"
    return title, unit


def budget_tier(inp: DigestInput) -> int:
    """The tier whose budget the month's cost is held against: the built tier in force.

    `inp.plan` carries the effective built tier (`with_built`: a tier recorded with
    `/capacity built N` wins over the plan file's), the one the digest text, `status` and
    Home use; never the demand tier, whose budget nobody pays yet.
    """
    return inp.plan.built_tier


def trigger_words(text: str) -> str:
    """The plan's trigger as written, short enough to sit on the line: a trailing aside
    ("(80% of limit)") goes first, then the end gives way to "…"."""
    if len(text) <= _WORDS_MAX:
        return text
    text = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    return text if len(text) <= _WORDS_MAX else text[: _WORDS_MAX - 1].rstrip() + "…"


def _bill_panel(inp: DigestInput) -> Panel | None:
    """Planned against actual per component, from the month's bills (`spend`)."""
    result = inp.spend
    if result is None or not result.covered:
        return None
    symbol = inp.plan.currency_symbol
    rows = [
        Bar(c.name, float(c.planned or 0), float(c.actual), float(c.forecast))
        for c in (*result.components, result.unassigned)
        if c.planned or c.actual or c.forecast
    ]
    return Panel(
        title=f"{result.month:%B}: {fmt_money(round(result.forecast, 0), symbol=symbol)} forecast,"
        f" {fmt_money(result.budget, symbol=symbol)} budget",
        unit=f"{inp.plan.currency_symbol.strip()} this month",
        samples=(),
        bars=tuple(rows),
    )


def _cost_panel(inp: DigestInput, start: datetime) -> Panel | None:
    plan = inp.plan
    billed = _bill_panel(inp)
    if billed is not None:
        return billed
    samples = [s for s in inp.samples.get(plan.cost_metric, ()) if start <= s.at <= inp.now]
    if not samples:
        return None
    tier = budget_tier(inp)
    budget = tier_costs(plan)[tier].total
    title, unit = metric_title(plan, plan.cost_metric)
    return Panel(
        title=title,
        unit=unit,
        samples=samples,
        threshold=float(budget),
        # The chart may be drawn away from the answer's currency context: name it.
        threshold_label=f"Budget {fmt_money(budget, symbol=plan.currency_symbol)}/mo (Tier {tier})",
    )


def chart_panels(inp: DigestInput) -> list[Panel]:
    """The next tier's trigger metrics that have samples (at most four), then the cost."""
    data = chart_data(inp)
    tier, _ = current_tier(inp)
    rows = {h.rule.metric: h for h in headroom(inp, tier + 1)} if tier < inp.plan.tier_count else {}
    panels: list[Panel] = []
    for metric, samples in list(data.series.items())[:MAX_PANELS]:
        title, unit = metric_title(inp.plan, metric)
        row = rows.get(metric)
        label = None
        if row is not None:
            # Always the plan's own trigger words, in one style on every panel ("MAU
            # above 2,500", never "api_p95_ms > 700ms" beside it); shortened to fit.
            words = trigger_words(row.text)
            label = f"Tier {tier + 1} trigger: {words}"
        crossing = row.crosses_at if row is not None and row.status == "crossing" else None
        panels.append(
            Panel(
                title=title,
                unit=unit,
                samples=samples,
                threshold=data.thresholds.get(metric),
                threshold_label=label,
                trend=data.forecasts.get(metric),
                crosses_at=crossing,
            )
        )
    cost = _cost_panel(inp, require_aware(inp.now) - SAMPLE_WINDOW)
    if cost is not None:
        panels.append(cost)
    return panels
