"""The plan's `costs` section: which bill column counts, where each cost belongs, when to warn.

A mapping rule names one or more fields of a bill line (FOCUS provider, service, service
category, resource or tag; a plain CSV's vendor) and the plan component that line belongs
to; the first rule that matches wins. `line_items` says how the baseline's line items
divide into components, so the planned cost of a component can be set against its bill.
"""

from __future__ import annotations

from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CostAlerts",
    "CostPlan",
    "CostRule",
    "LineItemSplit",
    "LineKey",
    "cost_problems",
    "plan_currency",
]

# The fields a rule may match, in the order a suggestion names them.
MATCHERS = ("provider", "service", "service_category", "resource", "tag", "vendor")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


LineKey = tuple[str, str, str, str, str, str]
"""(provider, service, service_category, resource, tags JSON, vendor) of a bill line."""


def _like(pattern: str, value: str) -> bool:
    """Case-insensitive; `*` and `?` as in shell patterns (`Amazon *`)."""
    return fnmatchcase(value.casefold(), pattern.casefold())


class CostRule(_Model):
    """`{service: Amazon RDS, component: Database}`: bill lines this matches go to `component`."""

    component: str = Field(min_length=1)
    provider: str | None = None
    service: str | None = None
    service_category: str | None = None
    resource: str | None = None
    # `key=value` (`component=api`), or `key` for any value of that tag.
    tag: str | None = None
    vendor: str | None = None

    @model_validator(mode="after")
    def _matches_something(self) -> CostRule:
        if not any(getattr(self, name) for name in MATCHERS):
            raise ValueError(
                "a cost rule needs at least one of provider, service, service_category,"
                " resource, tag, vendor; e.g. {vendor: Railway, component: API}"
            )
        return self

    def matches(self, key: LineKey, tags: dict[str, str]) -> bool:
        provider, service, category, resource, _, vendor = key
        checks = (
            (self.provider, provider),
            (self.service, service),
            (self.service_category, category),
            (self.resource, resource),
        )
        if any(want is not None and not _like(want, have) for want, have in checks):
            return False
        # A plain CSV's vendor and a FOCUS provider name the same thing: who bills us.
        if self.vendor is not None and not _like(self.vendor, vendor or provider):
            return False
        if self.tag is not None:
            name, eq, value = self.tag.partition("=")
            found = next((v for k, v in tags.items() if k.casefold() == name.casefold()), None)
            if found is None or (eq and not _like(value, found)):
                return False
        return True

    def text(self) -> str:
        """The rule as YAML flow text, as a planner would write it."""
        parts = [f"{name}: {getattr(self, name)}" for name in MATCHERS if getattr(self, name)]
        return "{" + ", ".join([*parts, f"component: {self.component}"]) + "}"


class LineItemSplit(_Model):
    """How one baseline line item divides: whole to `component`, or by percentage `shares`."""

    item: str = Field(min_length=1)
    component: str | None = None
    shares: dict[str, Decimal] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_way(self) -> LineItemSplit:
        if (self.component is None) == (not self.shares):
            raise ValueError(
                f"line item {self.item!r}: give either `component` (assigned whole) or"
                " `shares` (percentages adding to 100), e.g."
                " {item: Railway, shares: {API: 50, Database: 35, Cache: 15}}"
            )
        if self.shares:
            if any(v <= 0 for v in self.shares.values()):
                raise ValueError(f"line item {self.item!r}: each share must be above 0")
            total = sum(self.shares.values(), Decimal(0))
            if total != 100:
                raise ValueError(f"line item {self.item!r}: shares add up to {total}, not 100")
        return self

    def parts(self) -> dict[str, Decimal]:
        """Component -> fraction of the item (1 for an item assigned whole)."""
        if self.component is not None:
            return {self.component: Decimal(1)}
        return {name: share / 100 for name, share in self.shares.items()}


class CostAlerts(_Model):
    """Percentages: forecast against the built tier's budget, a component over its plan,
    unassigned cost as a share of the month."""

    forecast_warn: Decimal = Field(default=Decimal(80), gt=0)
    forecast_over: Decimal = Field(default=Decimal(100), gt=0)
    component_over: Decimal = Field(default=Decimal(25), ge=0)
    unassigned: Decimal = Field(default=Decimal(10), ge=0, le=100)


class CostPlan(_Model):
    """`costs:` in the plan file."""

    # Which FOCUS column is the cost: what was invoiced, or that amortised with discounts.
    amount: Literal["BilledCost", "EffectiveCost"] = "BilledCost"
    rules: tuple[CostRule, ...] = ()
    line_items: tuple[LineItemSplit, ...] = ()
    alerts: CostAlerts = CostAlerts()
    # How OpenCost's allocation is pulled (CAPACITY_OPENCOST_URL): by namespace,
    # controller, or a label (`label:app`); rules then match the name as `resource`.
    opencost_aggregate: str = Field(
        default="namespace", pattern=r"^(namespace|controller|label:[A-Za-z0-9_./-]+)$"
    )

    @field_validator("line_items")
    @classmethod
    def _once_each(cls, items: tuple[LineItemSplit, ...]) -> tuple[LineItemSplit, ...]:
        names = [i.item.casefold() for i in items]
        if len(set(names)) != len(names):
            raise ValueError("each baseline line item may be split once")
        return items

    def component_of(self, key: LineKey, tags: dict[str, str]) -> tuple[str | None, int | None]:
        """The component the first matching rule names, and that rule's index."""
        for index, rule in enumerate(self.rules):
            if rule.matches(key, tags):
                return rule.component, index
        return None, None

    def split_of(self, item: str) -> LineItemSplit | None:
        return next((s for s in self.line_items if s.item.casefold() == item.casefold()), None)


def plan_currency(plan: object) -> str:
    """The plan's currency (ISO 4217). The plan has no currency field yet (another change
    adds it): until then every plan is in US dollars. The one place that decides it."""
    code = getattr(plan, "currency", None)
    return code if isinstance(code, str) and len(code) == 3 else "USD"


def cost_problems(costs: CostPlan, items: list[str], changed: list[str]) -> list[str]:
    """What makes the `costs` section wrong for this plan: a split of a line item the
    baseline does not have, a rule naming a component the plan does not know.

    The plan's components are those its tiers change and those a split names."""
    problems: list[str] = []
    known_items = {i.casefold() for i in items}
    components = {c.casefold() for c in changed}
    for index, split in enumerate(costs.line_items):
        if split.item.casefold() not in known_items:
            problems.append(
                f"costs.line_items[{index}].item: the baseline has no line item"
                f" {split.item!r} (it has {', '.join(items) or 'none'})"
            )
        components.update(c.casefold() for c in split.parts())
    for index, rule in enumerate(costs.rules):
        if rule.component.casefold() not in components:
            names = sorted({*changed, *(c for s in costs.line_items for c in s.parts())})
            problems.append(
                f"costs.rules[{index}].component: the plan has no component"
                f" {rule.component!r} (its components: {', '.join(names) or 'none'})"
            )
    return problems
