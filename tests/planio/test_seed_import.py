"""Importing the template itself gives a plan that answers exactly like the default plan."""

from __future__ import annotations

import pytest

from bot.commands import build_router
from bot.domain.plan import Plan
from bot.planio.document import import_document
from bot.planio.overlay import diff_overlay
from bot.planio.planfile import default_plan, load_plan
from tests.conftest import DATA, answer

SEED = DATA / "capacity-planning-template.md"

# Every command with its own example, bare, and with the arguments people use.
EXTRA = [
    "tier 1",
    "tier 3",
    "tier 0",
    "cost 5000",
    "cost 150000",
    "breakeven 30",
    "compute 100",
    "compute 3",
    "connections 2",
    "connections 50",
    "connections 5 0",
    "storage 1000",
    "storage 100",
    "targets 0",
    "targets 3",
    "scenario 1",
    "scenario database-failure",
    "scenario traffic-spike",
    "status",
    "help",
    "digest",
]


@pytest.fixture(scope="module")
def seeded() -> Plan:
    return import_document(SEED.read_text(encoding="utf-8"), str(SEED)).plan


def _commands() -> list[str]:
    texts = []
    for command in build_router().commands:
        texts += [command.name, command.example]
    return sorted(set(texts + EXTRA))


@pytest.mark.parametrize("text", _commands())
def test_every_answer_of_the_imported_seed_equals_the_default_plans(
    seeded: Plan, text: str
) -> None:
    assert answer(text, seeded) == answer(text, default_plan())


def test_the_seed_differs_only_where_the_template_has_no_place(seeded: Plan) -> None:
    """Runbook links and scenario metrics are the bot's additions; the Total lines equal
    the computed totals, so the import keeps no separate stated total (and neither does
    the embedded plan)."""
    patch = diff_overlay(default_plan().model_dump(by_alias=True), seeded.model_dump(by_alias=True))
    assert set(patch) == {"scaling_triggers", "scenarios", "thresholds"}
    assert seeded.last_updated == "2025-10-10"  # a placeholder: the newest change's date
    assert all(set(p) == {"runbook"} for p in patch["thresholds"].values())
    assert all(set(p) == {"metrics"} for p in patch["scenarios"].values())


def test_capacity_plan_may_name_the_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "plan.md"
    doc.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_plan(doc).tiers[1].users == 10_000


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("### Tier 2: 100x Growth (100 → 10,000 users)", "### Tier 2: 100x Growth", "users"),
        (
            "| API | 5 containers | 20-50 containers, Kubernetes (multi-region) | +$500/mo |",
            "| API | 5 containers | +$500/mo |",
            "a row",
        ),
        (
            "| CDN | Vercel edge | Add Cloudflare (for Blob) | +$20/mo |",
            "| CDN | Vercel edge | Add Cloudflare (for Blob) | twenty dollars |",
            "+$20/mo",
        ),
        ("**Pricing**: $25/mo per instructor", "**Pricing**: free", "$25/mo per instructor"),
        ("| CPU > 70% for 1 hour |", "| When it feels slow |", "metric and number"),
        ("- Efficiency factor: 0.7 (70% utilization)", "- Efficiency: high", "Efficiency factor"),
    ],
)
def test_an_unreadable_part_is_a_warning_with_its_line_and_the_rest_loads(
    old: str, new: str, message: str
) -> None:
    # A document is never refused for wording a line its own way (issue 22).
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new)
    line = next(n for n, row in enumerate(broken.splitlines(), start=1) if new in row)
    warnings = import_document(broken, "doc.md").warnings
    assert any(w.startswith("line ") and message in w for w in warnings), warnings
    assert any(w.startswith(f"line {line}:") for w in warnings) or message in (
        "users",
        "Efficiency factor",
    )
