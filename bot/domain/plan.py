"""The capacity plan: every section of the template as validated data."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.domain.cost_plan import CostPlan, cost_problems
from bot.domain.formulas import (
    ComputeFormula,
    ConnectionsFormula,
    Formulas,
    StorageFormula,
    StoragePoint,
)
from bot.domain.metric import Metric
from bot.domain.money import CURRENCIES
from bot.domain.plan_base import PlanModel as _Model
from bot.domain.plan_ops import (
    AlertChannel,
    AutoScaling,
    BreakingPoint,
    ChangeLogEntry,
    DocSection,
    MonitorThreshold,
    OptimizationItem,
    OptimizationStage,
    ResponseStep,
    ScalingTrigger,
    Scenario,
    Severity,
    Target,
)
from bot.domain.plan_reality import Reality, RealityMetrics
from bot.domain.rules import Duration, MetricRule
from bot.domain.span import Span
from bot.domain.words import plural

__all__ = [
    "AlertChannel",
    "AutoScaling",
    "Baseline",
    "BreakingPoint",
    "ComponentChange",
    "ComputeFormula",
    "ConnectionsFormula",
    "DocSection",
    "Formulas",
    "LineItem",
    "Metric",
    "MonitorThreshold",
    "OptimizationItem",
    "OptimizationStage",
    "Plan",
    "Pricing",
    "Reality",
    "RealityMetrics",
    "ResponseStep",
    "ScalingTrigger",
    "Scenario",
    "StorageFormula",
    "StoragePoint",
    "Target",
    "Tier",
    "TierTrigger",
]

Money = Decimal


class LineItem(_Model):
    name: str = Field(min_length=1)
    cost: Money = Field(ge=0)
    # The top of a range (`$35-50/mo`); None for one figure. So for every `_high` below.
    cost_high: Money | None = None
    note: str = ""

    @property
    def cost_span(self) -> Span:
        return self._span("cost")


class Baseline(_Model):
    """Where the product stands now (the template's "Current Scale", tier 0)."""

    name: str = "MVP Baseline"
    users: int = Field(gt=0)
    users_note: str = ""
    requests_per_day: int = Field(default=0, ge=0)
    requests_note: str = ""
    storage_gb: Decimal = Field(default=Decimal(0), ge=0)
    storage_note: str = ""
    database_gb: Decimal = Field(default=Decimal(0), ge=0)
    database_note: str = ""
    budget: Money = Field(ge=0)
    # A budget given as a range is met up to its upper bound: alerts fire past it.
    budget_high: Money | None = None
    line_items: tuple[LineItem, ...] = ()
    constraints: tuple[str, ...] = ()

    @property
    def budget_span(self) -> Span:
        return self._span("budget")


class TierTrigger(_Model):
    """What indicates we are approaching a tier; `rule` is absent for prose-only signs."""

    text: str = Field(min_length=1)
    rule: MetricRule | None = None
    # Picks the route (alert_channels): p1 is the alerts channel.
    severity: Severity = "p1"


class ComponentChange(_Model):
    component: str = Field(min_length=1)
    current: str
    new: str
    cost_change: Money
    cost_change_high: Money | None = None

    @property
    def cost_span(self) -> Span:
        return self._span("cost_change")


class Tier(_Model):
    name: str = Field(min_length=1)
    users: int = Field(gt=0)
    timeline: str = ""
    triggers: tuple[TierTrigger, ...] = ()
    changes: tuple[ComponentChange, ...] = ()
    # Optional: the figures the author wrote down (`$90-120/mo total`, `+$75/mo`, `+58%`).
    # They are what answers show; check-plan warns when the changes disagree.
    stated_total: Money | None = None
    stated_total_high: Money | None = None
    # Where the author's total line starts (`$50/mo → ...`) when that is not where the tier
    # before ends; the tiers build on the tier before all the same.
    stated_from: Money | None = None
    stated_from_high: Money | None = None
    stated_change: Money | None = None
    stated_change_high: Money | None = None
    stated_percent: Decimal | None = None
    stated_percent_high: Decimal | None = None
    capacity: tuple[str, ...] = ()
    architecture_changes: tuple[str, ...] = ()
    optimizations: tuple[str, ...] = ()
    bottlenecks: tuple[str, ...] = ()


class Pricing(_Model):
    customer: str = "customer"  # singular noun: "instructor"
    customers: str = ""  # plural, defaults to English's plural of customer
    price: Money = Field(gt=0)
    price_high: Money | None = None
    # `mo`, `yr`: what the price is charged per besides the customer; empty: a price per
    # unit of use (`$0.08 per order`), charged on each one, not per month.
    period: str = "mo"
    healthy_multiple: Decimal = Field(default=Decimal(5), gt=0)
    # The template rounds healthy customer counts up to a multiple of 5 (19 -> 20, 83 -> 85).
    healthy_step: int = Field(default=1, gt=0)
    # The healthy-margin customers the team states per tier (`40 workspaces → 70% margin`)
    # when they follow no multiple of the cost: they win over `healthy_multiple`.
    healthy_counts: tuple[int, ...] = ()

    @property
    def plural(self) -> str:
        # The document's own plural where it gives one, else English's.
        return self.customers or plural(self.customer)

    @property
    def price_span(self) -> Span:
        return self._span("price")

    def priced(self, amount: str) -> str:
        """`$25/mo`, or `$0.08 per order` for a price per unit of use: a price (`amount`,
        formatted) with the period the plan states, the one spelling of every answer."""
        return f"{amount}/{self.period}" if self.period else f"{amount} per {self.customer}"

    def per_customer(self, amount: str) -> str:
        """`$25/mo per instructor`, `$0.08 per order`: a price and who pays it."""
        if not self.period:
            return self.priced(amount)
        return f"{self.priced(amount)} per {self.customer}"


class Plan(_Model):
    """The whole capacity plan. Tier 0 is the baseline; `tiers` are 1..N."""

    # None: the plan names no product (the template's worked example), and titles say less.
    product: str | None = None
    last_updated: str = ""
    # The currency the plan's totals use (ISO code); every amount is written in it.
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    # What the plan grows in (tier headings, `cost 5000`): users, readers, workspaces...
    growth_unit: str = Field(default="user", min_length=1)
    growth_units: str = ""  # plural, defaults to English's plural of growth_unit
    # `month` when the tiers count the unit in a month (`2,000 → 20,000 orders/month`): each
    # is one of use, so a cost per one is per order, with no period and no yearly figure.
    growth_per: Literal["", "month"] = ""
    percent_rounding: Literal["half_up", "half_down", "half_even"] = "half_up"
    # Where a figure the team stated on a tier's total line (total, change, percentage)
    # disagrees with what the plan's arithmetic gives: "kept", the team's figure is what
    # answers show and export-plan writes check-plan's note beside it; "computed", the
    # arithmetic wins (answers, and export-plan writes it in the team's words, no note).
    stated_figures: Literal["kept", "computed"] = "kept"
    metrics: tuple[Metric, ...] = ()
    baseline: Baseline
    tiers: tuple[Tier, ...] = Field(min_length=1)
    formulas: Formulas = Formulas()
    # None: the document states no price (only revenue goals, or the placeholder).
    pricing: Pricing | None = None
    targets: tuple[Target, ...] = ()
    scaling_triggers: tuple[ScalingTrigger, ...] = ()
    auto_scaling: AutoScaling | None = None
    scenarios: tuple[Scenario, ...] = ()
    optimizations: tuple[OptimizationStage, ...] = ()
    breaking_points: tuple[BreakingPoint, ...] = ()
    thresholds: tuple[MonitorThreshold, ...] = ()
    alert_channels: tuple[AlertChannel, ...] = ()
    change_log: tuple[ChangeLogEntry, ...] = ()
    # The document's own sections, kept as text (never changes an answer but `plan section`).
    sections: tuple[DocSection, ...] = ()
    stale_after: Duration = 900
    # The metric that counts users: the current tier follows it.
    users_metric: str = "mau"
    # The metric that reports this month's infrastructure cost, against the tier's budget.
    cost_metric: str = "cost_usd"
    # The tier whose infrastructure is in place; `/capacity built N` records a newer one.
    built_tier: int = Field(default=0, ge=0)
    reality: Reality = Reality()
    # Bills against the plan: the cost column, mapping rules, line-item splits, cost alerts.
    costs: CostPlan = CostPlan()

    @field_validator("product")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        # A blank name is no name: titles would end in ": ".
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        previous = self.baseline.users
        for index, tier in enumerate(self.tiers, start=1):
            if tier.users <= previous:
                raise ValueError(
                    f"tiers[{index - 1}].users: tier {index} must serve more users than "
                    f"the tier before it ({tier.users:,} <= {previous:,})"
                )
            previous = tier.users
        known = {m.name for m in self.metrics}
        if known:
            for where, rule in self.metric_rules():
                if rule.metric not in known:
                    raise ValueError(
                        f"{where}.metric: unknown metric {rule.metric!r}; "
                        f"declare it under metrics (known: {', '.join(sorted(known))})"
                    )
        if self.built_tier > len(self.tiers):
            raise ValueError(
                f"built_tier: the plan has tiers 0 to {len(self.tiers)}, not {self.built_tier}"
            )
        for where, rule in self.metric_rules():
            if rule.of_budget and not where.startswith("thresholds["):
                raise ValueError(f"{where}: only an alert threshold may be relative to the budget")
        items = [i.name for i in self.baseline.line_items]
        changed = [c.component for t in self.tiers for c in t.changes]
        for problem in cost_problems(self.costs, items, changed):
            raise ValueError(problem)
        ids = [s.id for s in self.scenarios]
        if len(set(ids)) != len(ids):
            raise ValueError("scenarios: two scenarios share an id")
        for where, runbook in self._runbooks():
            if runbook is not None and runbook not in ids:
                raise ValueError(f"{where}.runbook: no scenario has id {runbook!r}")
        return self

    def metric_rules(self) -> list[tuple[str, MetricRule]]:
        """Every rule in the plan with its location, for validation and monitoring."""
        found: list[tuple[str, MetricRule]] = []
        for t, tier in enumerate(self.tiers):
            for g, trigger in enumerate(tier.triggers):
                if trigger.rule is not None:
                    found.append((f"tiers[{t}].triggers[{g}].rule", trigger.rule))
        for s, scaling in enumerate(self.scaling_triggers):
            found.append((f"scaling_triggers[{s}].rule", scaling.rule))
        if self.auto_scaling:
            for a, auto in enumerate(self.auto_scaling.rules):
                found.append((f"auto_scaling.rules[{a}].rule", auto.rule))
        for h, threshold in enumerate(self.thresholds):
            found.append((f"thresholds[{h}].rule", threshold.rule))
        return found

    def _runbooks(self) -> list[tuple[str, str | None]]:
        pairs: list[tuple[str, str | None]] = [
            (f"scaling_triggers[{i}]", t.runbook) for i, t in enumerate(self.scaling_triggers)
        ]
        pairs += [(f"thresholds[{i}]", t.runbook) for i, t in enumerate(self.thresholds)]
        return pairs

    def metric(self, name: str) -> Metric | None:
        return next((m for m in self.metrics if m.name == name), None)

    def unit(self, metric: str) -> str:
        found = self.metric(metric)
        return found.unit if found else ""

    @property
    def unit_period(self) -> str:
        """`mo` for a cost per user (a month each), empty for a cost per order."""
        return "" if self.growth_per else "mo"

    @property
    def unit_plural(self) -> str:
        """`users`, `readers`, `workspaces`: what the tiers count."""
        return self.growth_units or plural(self.growth_unit)

    def pricing_or(self, price: Decimal) -> Pricing:
        """The plan's pricing, or `price` a month per the plan's own unit (`breakeven 30` on
        a plan that states no price: 30 a month per player). Users are not who pays (the
        template's instructors pay for their students), so a plan of users says customer."""
        if self.pricing is not None:
            return self.pricing
        if self.growth_unit == "user":
            return Pricing(price=price)
        return Pricing(price=price, customer=self.growth_unit, customers=self.growth_units)

    @property
    def growth_label(self) -> str:
        """What every answer calls the measure of growth, the `users_metric`: `MAU` (the
        template's spelling), else the metric's own words (`Orders`, `Client sites`)."""
        metric = self.users_metric
        if metric == "mau":
            return "MAU"
        found = self.metric(metric)
        words = found.description.strip() if found is not None else ""
        if words:
            return words[0].upper() + words[1:]
        return metric.upper() if len(metric) <= 4 else metric.replace("_", " ").capitalize()

    @property
    def growth_noun(self) -> str:
        """The growth measure after a number: `5,000 MAU`, `12 client sites`."""
        label = self.growth_label
        return label if label.isupper() else label.lower()

    def cost_samples(self, noun: str = "samples") -> str:
        """`` `cost_usd` samples ``, and in a plan priced in another currency `` `cost_usd`
        samples in EUR, the plan's currency ``: the metric keeps its name (the API,
        Prometheus queries and stored samples know it by it), and every answer that names
        it says what its values are in."""
        named = f"`{self.cost_metric}` {noun}"
        if self.currency == "USD":
            return named
        return f"{named} in {self.currency}, the plan's currency"

    @property
    def currency_symbol(self) -> str:
        return CURRENCIES.get(self.currency, f"{self.currency} ")

    def titled(self, text: str) -> str:
        """`text: Product`, or `text` alone when the plan names no product."""
        return f"{text}: {self.product}" if self.product else text

    @property
    def tier_count(self) -> int:
        return len(self.tiers)

    @property
    def tier_range(self) -> str:
        """`tiers 0–3`: the tiers a plan has, the baseline counted as the documents and `tier
        0` count it, one wording wherever a plan is summed up (no "4 tiers" beside "3")."""
        return f"tiers 0–{self.tier_count}"

    def tier(self, number: int) -> Tier:
        """Tier `number` (1-based); IndexError when the plan has no such tier."""
        if not 1 <= number <= len(self.tiers):
            raise IndexError(number)
        return self.tiers[number - 1]
