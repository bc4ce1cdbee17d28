"""A plan may name its product or not: every title says the name, or says less without it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.digest.build import build_digest
from bot.digest.data import DigestInput
from bot.domain.plan import Plan
from bot.monitor.plan_diff import plan_diff
from bot.planio.doc_write import export_document
from bot.planio.document import import_document
from bot.render.text import render_text
from tests.conftest import answer
from tests.support.metrics_helpers import Clock, make_deps


def named(plan: Plan, name: str | None = "Recipe Box") -> Plan:
    return plan.model_copy(update={"product": name})


def title(text: str) -> str:
    return text.splitlines()[0]


def test_the_default_plan_names_no_product(plan: Plan) -> None:
    assert plan.product is None
    assert "our product" not in answer("tiers") + answer("plan")


@pytest.mark.parametrize(
    ("command", "unnamed", "with_name"),
    [
        ("tiers", "Growth tiers", "Growth tiers: Recipe Box"),
        ("plan", "Capacity plan", "Capacity plan: Recipe Box"),
    ],
)
def test_titles_name_the_product_only_when_the_plan_does(
    plan: Plan, command: str, unnamed: str, with_name: str
) -> None:
    assert title(answer(command)) == unnamed
    assert title(answer(command, named(plan))) == with_name


def test_home_title_names_the_product_only_when_the_plan_does(plan: Plan) -> None:
    deps = make_deps(Clock())
    assert title(render_text(home_reply(deps.context("U1"), build_router()))) == "Capacity"
    deps.plan = named(plan)
    assert title(render_text(home_reply(deps.context("U1"), build_router()))) == (
        "Capacity: Recipe Box"
    )


def test_digest_title_names_the_product_only_when_the_plan_does(plan: Plan) -> None:
    from datetime import UTC, datetime

    inp = DigestInput(plan=plan, now=datetime(2026, 11, 30, 9, tzinfo=UTC), zone=UTC)
    assert build_digest(inp).title.startswith("Weekly capacity digest, 2026-W")
    assert build_digest(replace(inp, plan=named(plan))).title.startswith(
        "Weekly capacity digest: Recipe Box, 2026-W"
    )


def test_a_blank_product_name_is_no_name(plan: Plan) -> None:
    assert Plan.model_validate({**plan.model_dump(by_alias=True), "product": " "}).product is None


@pytest.mark.parametrize(
    "top",
    ["# Capacity Planning: Recipe Box\n", "# Capacity Planning\n\n**Product**: Recipe Box\n"],
)
def test_the_importer_reads_the_name_from_the_title_or_a_product_line(
    template: str, top: str
) -> None:
    text = template.replace("# Capacity Planning\n", top, 1)
    assert import_document(text, "doc.md").plan.product == "Recipe Box"


def test_the_exporter_writes_the_name_as_the_title_and_reads_it_back(plan: Plan) -> None:
    unnamed = export_document(plan)
    assert unnamed.startswith("# Capacity Planning\n")
    assert import_document(unnamed, "doc.md").plan.product is None
    document = export_document(named(plan))
    assert document.startswith("# Capacity Planning: Recipe Box\n")
    assert import_document(document, "doc.md").plan.product == "Recipe Box"


def test_naming_the_product_shows_in_the_reload_diff(plan: Plan) -> None:
    assert plan_diff(plan, named(plan)) == ["product (unnamed) → Recipe Box"]
    assert plan_diff(named(plan), plan) == ["product Recipe Box → (unnamed)"]
