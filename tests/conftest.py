from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.commands import Context, build_router
from bot.config import Settings
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.planio.planfile import default_plan, load_plan
from bot.render.text import render_text
from store import Store

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def template() -> str:
    """The template's own text: the worked example every default answer must match."""
    return (DATA / "capacity-planning-template.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def plan() -> Plan:
    return default_plan()


@pytest.fixture(scope="session")
def second_plan() -> Plan:
    return load_plan(DATA / "second-plan.yaml")


def answer(text: str, plan: Plan | None = None) -> str:
    """What `capacity-bot ask TEXT` prints, in-process (with an empty in-memory store)."""
    settings = Settings()
    deps = Deps(settings, plan or default_plan(), build_router(), lambda: NOW, Store(":memory:"))
    ctx = Context(
        plan=deps.plan,
        now=NOW,
        user_id="U1",
        services={"deps": deps, "settings": settings},
    )
    try:
        return render_text(deps.router.dispatch(text, ctx))
    finally:
        deps.close()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
