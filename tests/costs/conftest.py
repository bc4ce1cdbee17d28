"""A plan whose `costs` section maps bills to components, and Deps over a fresh store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan
from store import Store
from tests.support.metrics_helpers import TOKEN, Clock

DATA = Path(__file__).resolve().parents[1] / "data" / "costs"

COSTS: dict[str, Any] = {
    "rules": [
        {"tag": "component=api", "component": "API"},
        {"service": "Amazon RDS", "component": "Database"},
        {"provider": "AWS", "service": "Amazon EC2", "component": "API"},
        {"vendor": "Railway", "component": "API"},
        {"vendor": "Clerk", "component": "Auth"},
    ],
    "line_items": [
        {"item": "Railway", "shares": {"API": 50, "Database": 35, "Cache": 15}},
        {"item": "Vercel Blob", "component": "Storage"},
        {"item": "Clerk", "component": "Auth"},
    ],
}


def costed_plan(**costs: Any) -> Plan:
    """The template's plan with the mapping above (`costs` overrides parts of it)."""
    data = default_plan().model_dump(mode="json", exclude_defaults=False)
    data["costs"] = {**COSTS, **costs}
    return Plan.model_validate(data)


def deps_for(plan: Plan, clock: Clock, store: Store | None = None, **settings: Any) -> Deps:
    values: dict[str, Any] = {"ingest_token": TOKEN, "alerts_channel": "C_ALERTS", **settings}
    return Deps(Settings(**values), plan, clock, store or Store(":memory:"))


@pytest.fixture
def plan() -> Plan:
    return costed_plan()


@pytest.fixture
def costs_store() -> Iterator[Store]:
    store = Store(":memory:")
    yield store
    store.close()
