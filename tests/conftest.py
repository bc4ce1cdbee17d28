from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan, load_plan
from bot.render.text import render_text
from store import Store
from tests.support.slack import slack  # noqa: F401  (the one fake Slack fixture, everywhere)

# Property and fuzz suites: each @settings names its own max_examples (its budget, sized to
# stay within about a minute on 2 cores). The profile sets what they share: CI (env CI set,
# as .ci/run does) is derandomized so a red run reproduces, with no example database
# carried between runs and no deadline (a shared runner's pauses are not our bugs).
hypothesis_settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("dev", max_examples=50, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
ROUTER = build_router()


@pytest.fixture(scope="session")
def template() -> str:
    """The template's own text: the worked example every default answer must match."""
    return (DATA / "capacity-planning-template.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def plan() -> Plan:
    return default_plan()


@pytest.fixture
def store() -> Iterator[Store]:
    """The one store fixture: an empty in-memory database, migrated, closed afterwards.
    Tests where durability is the point open a file in `tmp_path` instead."""
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture(scope="session")
def second_plan() -> Plan:
    return load_plan(DATA / "second-plan.yaml")


def answer(text: str, plan: Plan | None = None) -> str:
    """What `capacity-bot ask TEXT` prints, in-process (with an empty in-memory store)."""
    settings = Settings()
    deps = Deps(settings, plan or default_plan(), lambda: NOW, Store(":memory:"))
    try:
        return render_text(ROUTER.dispatch(text, deps.context(user_id="U1")))
    finally:
        deps.close()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
