"""A second, differently filled template imports and answers right.

tests/data/second-template.md was written before the importer: four tiers, `Part |
Launch | Tier 1 | Monthly Delta` tables, other trigger wording, a declared metric, a
healthy-margin line with its own multiple and rounding step. Every figure below was
worked out by hand from the document:

- totals: $120 -> $245 (+$125, 125/120 = 104.17% -> +104%) -> $650 (+$405, 165.31% ->
  +165%) -> $2,100 (+$1,450, 223.08% -> +223%) -> $8,000 (+$5,900, 280.95% -> +281%)
- cost per user: 245/2,000 = $0.1225, 650/10,000 = $0.065, 2,100/50,000 = $0.042,
  8,000/250,000 = $0.032 a month
- break-even at $9: ceil(27.2) = 28, ceil(72.2) = 73, ceil(233.3) = 234, ceil(888.9) = 889
- healthy (3x, rounded up to 10): 81.7 -> 90, 216.7 -> 220, 700 -> 700, 2,666.7 -> 2,670
  kitchens; margin (810-245)/810 = 70%, (1,980-650)/1,980 = 67%
- compute: 0.6 / 0.15 = 4 req/sec per vCPU; 250 req/sec = 62.5 vCPUs, "~70" -> step 10
- connections: 8 containers x 15 + 3 x 4 = 132
- storage at 200 users: 200 x 25 x 4MB = 20GB files + 2GB DB = 22GB
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from tests.conftest import DATA, answer, squash

SECOND = DATA / "second-template.md"


@pytest.fixture(scope="module")
def imported() -> Plan:
    from bot.planio.document import import_document

    result = import_document(SECOND.read_text(encoding="utf-8"), str(SECOND))
    return result.plan


def rule(metric: str, op: str, value: float, seconds: int = 0) -> MetricRule:
    return MetricRule(metric=metric, op=op, value=value, for_seconds=seconds)  # type: ignore[arg-type]


def test_the_document_gives_four_tiers_with_their_names_and_users(imported: Plan) -> None:
    assert imported.product == "Recipe Box"
    assert imported.last_updated == "2026-11-02"
    assert imported.baseline.name == "Launch Baseline"
    assert imported.baseline.users == 200
    assert imported.baseline.requests_per_day == 40_000
    assert imported.baseline.budget == Decimal(120)
    assert [i.cost for i in imported.baseline.line_items] == [70, 30, 20]
    assert [(t.name, t.users) for t in imported.tiers] == [
        ("Local Favourite", 2_000),
        ("Regional", 10_000),
        ("National", 50_000),
        ("Global", 250_000),
    ]
    assert [c.cost_change for c in imported.tiers[2].changes] == [900, 600, -50]
    assert imported.tiers[0].changes[0].current == "2 machines"
    assert imported.tiers[0].changes[0].new == "4 machines"


def test_trigger_wording_becomes_rules_through_the_catalog(imported: Plan) -> None:
    rules = [[t.rule for t in tier.triggers] for tier in imported.tiers]
    assert rules[0] == [
        rule("mau", ">", 1500),
        rule("api_p95_ms", ">", 600, 900),
        rule("photo_uploads", ">", 5000),
    ]
    assert rules[1] == [rule("mau", ">=", 8000), rule("db_cpu_pct", ">", 75, 7200)]
    # "A second country launches" has no number: it stays a text trigger.
    assert rules[2] == [rule("mau", ">", 40_000), rule("storage_gb", ">", 2000), None]
    assert rules[3] == [rule("mau", ">", 200_000), rule("revenue_usd", ">", 50_000)]
    assert [t.rule for t in imported.scaling_triggers] == [
        rule("cpu_pct", ">", 75, 2700),
        rule("ram_pct", ">", 85, 3600),
        rule("db_connections", ">", 150),
    ]
    first = imported.scaling_triggers[0]
    assert (first.action, first.lead_time) == (
        "Add an API machine",
        "10 minutes",
    )
    assert [t.rule for t in imported.thresholds] == [
        rule("error_rate_pct", ">", 1, 600),
        rule("db_cpu_pct", ">", 90, 900),
        rule("cost_usd", ">", 200),
    ]
    assert imported.metric("photo_uploads") is not None


def test_formulas_pricing_and_targets(imported: Plan) -> None:
    compute = imported.formulas.compute
    assert (compute.efficiency, compute.avg_response_seconds) == (Decimal("0.6"), Decimal("0.15"))
    assert compute.container_sizes == (1, 2)
    assert compute.approx_step == 10
    assert compute.current_vcpus == 2
    connections = imported.formulas.connections
    assert (connections.pool_per_container, connections.workers) == (15, 3)
    assert (connections.connections_per_worker, connections.max_connections) == (4, 200)
    assert [(p.users, p.database_gb) for p in imported.formulas.storage.database] == [
        (200, 2),
        (10_000, 40),
    ]
    pricing = imported.pricing
    assert (pricing.customer, pricing.price) == ("kitchen", Decimal(9))
    assert (pricing.healthy_multiple, pricing.healthy_step) == (Decimal(3), 10)
    assert [len(t.values) for t in imported.targets] == [5, 5]
    assert imported.targets[1].values[4] == "99.95%"
    assert imported.scenarios[0].id == "storage-outage"
    assert [c.date for c in imported.change_log] == ["2026-11-02", "2026-10-01"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("tiers", ["$245/mo", "$650/mo", "$2,100/mo", "$8,000/mo", "+104%", "+165%", "+281%"]),
        ("tier 3", ["$650/mo -> $2,100/mo (+$1,450/mo, +223%)", "Managed cluster"]),
        ("tier 4", ["$2,100/mo -> $8,000/mo (+$5,900/mo, +281%)", "Typesense"]),
        ("cost", ["$0.1225/mo", "$0.065/mo", "$0.042/mo", "$0.032/mo"]),
        (
            "breakeven",
            ["28 kitchens", "73 kitchens", "234 kitchens", "889 kitchens", "2,670 kitchens"],
        ),
        ("breakeven", ["90 kitchens", "220 kitchens", "70%", "67%", "Healthy (3x cost)"]),
        ("compute 250", ["~70 vCPUs", "4 req/sec"]),
        ("connections 8", ["132 connections"]),
        ("storage 200", ["20GB files + 2GB DB = 22GB total"]),
        ("targets 4", ["< 250ms", "99.95%"]),
        ("scenario", ["storage-outage", "Photo Storage Outage"]),
    ],
)
def test_the_imported_plan_answers_with_the_hand_worked_figures(
    imported: Plan, command: str, expected: list[str]
) -> None:
    text = squash(answer(command, imported))
    for fragment in expected:
        assert fragment in text, (command, fragment, text)


def test_the_document_is_where_the_test_expects_it() -> None:
    assert Path(SECOND).exists()
