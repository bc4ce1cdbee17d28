"""Every figure of the template's worked example, read from the template's own text."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.domain.costs import break_even, cost_per_user, tier_costs
from bot.domain.money import fmt_money, fmt_percent
from bot.domain.numbers import parse_number
from bot.domain.plan import Plan
from bot.domain.sizing import compute_for, connections_for, rps_per_vcpu, storage_for


def _money(text: str) -> Decimal:
    # The template's own figures read by the bot's one number grammar.
    return parse_number(text, money=True)


def test_tier_total_lines_match_template_exactly(plan: Plan, template: str) -> None:
    written = re.findall(r"\*\*Total New Cost\*\*: (.+)", template)
    assert len(written) == 3
    ours = [cost.summary() for cost in tier_costs(plan)[1:]]
    assert ours == [line.replace("→", "->").strip() for line in written]


@pytest.mark.parametrize(
    ("tier", "total", "change", "percent"),
    [
        (1, "95", "55", "+137%"),
        (2, "415", "320", "+337%"),
        (3, "2315", "1900", "+458%"),
    ],
)
def test_tier_costs_table(plan: Plan, tier: int, total: str, change: str, percent: str) -> None:
    cost = tier_costs(plan)[tier]
    assert cost.total == Decimal(total)
    assert cost.change == Decimal(change)
    assert cost.change_percent is not None
    assert fmt_percent(cost.change_percent, plan.percent_rounding, sign=True) == percent


def test_tier_component_cost_changes_match_template_tables(plan: Plan, template: str) -> None:
    for number, tier in enumerate(plan.tiers, start=1):
        heading = re.search(rf"### Tier {number}:.*?\*\*Total New Cost", template, re.S)
        assert heading is not None
        rows = re.findall(
            r"^\| (\w[^|]*?) \| ([^|]+?) \| ([^|]+?) \| ([+-]\$[\d,]+)/mo", heading.group(0), re.M
        )
        rows = [r for r in rows if r[0] != "Component"]
        assert [
            (c.component, c.current, c.new, fmt_money(c.cost_change, sign=True))
            for c in tier.changes
        ] == [tuple(r) for r in rows]


def test_capacity_lines_match_template(plan: Plan, template: str) -> None:
    blocks = re.findall(r"\*\*Capacity\*\*:\n((?:- .+\n)+)", template)
    assert len(blocks) == 3
    for tier, block in zip(plan.tiers, blocks, strict=True):
        assert list(tier.capacity) == [line[2:] for line in block.strip().splitlines()]


def test_cost_per_user_matches_template(plan: Plan, template: str) -> None:
    written = re.findall(r"Cost per user: \$([\d.]+)/mo \(~\$([\d.]+)/year\)", template)
    assert len(written) == 3
    for cost, (monthly, yearly) in zip(tier_costs(plan)[1:], written, strict=True):
        per_user = cost_per_user(cost.total, cost.users)
        text = per_user.monthly_text()
        assert f"${monthly}/mo" in text or f"(~${monthly})" in text
        assert f"${yearly}/yr" in per_user.yearly_text()


def test_cost_per_user_exact_figures_of_the_design(plan: Plan) -> None:
    exact = [cost_per_user(c.total, c.users).monthly for c in tier_costs(plan)[1:]]
    assert exact == [Decimal("0.095"), Decimal("0.0415"), Decimal("0.02315")]


def test_break_even_matches_template(plan: Plan, template: str) -> None:
    written = re.findall(r"- Tier \d \((\$[\d,]+)/mo cost\): (\d+) paying instructors", template)
    rows = break_even(plan)
    assert [(fmt_money(r.cost), str(r.customers)) for r in rows] == written


def test_healthy_margin_matches_template(plan: Plan, template: str) -> None:
    written = re.findall(
        r"- Tier \d: (\d+) instructors → (\$[\d,]+)/mo revenue, (\$[\d,]+) cost = (\d+)% margin",
        template,
    )
    assert len(written) == 3
    ours = [
        (
            str(r.healthy_customers),
            fmt_money(r.healthy_revenue),
            fmt_money(r.cost),
            fmt_percent(r.healthy_margin_percent)[:-1],
        )
        for r in break_even(plan)
    ]
    assert ours == written


def test_compute_example_matches_template(plan: Plan, template: str) -> None:
    per_vcpu = re.search(r"= ([\d.]+) req/sec per vCPU", template)
    need = re.search(
        r"For (\d+) req/sec → need ~(\d+) vCPUs → ~(\d+) containers \(1 vCPU each\)"
        r" or (\d+) containers \(4 vCPU each\)",
        template,
    )
    assert per_vcpu and need
    assert rps_per_vcpu(plan.formulas.compute) == Decimal(per_vcpu.group(1))
    estimate = compute_for(plan.formulas.compute, Decimal(need.group(1)))
    assert estimate.approx_vcpus == int(need.group(2))
    assert dict(estimate.containers)[4] == int(need.group(4))
    # "~30 containers (1 vCPU each)": the exact count rounds to the same friendly figure.
    assert (
        abs(dict(estimate.containers)[1] - int(need.group(3))) < plan.formulas.compute.approx_step
    )


def test_connection_examples_match_template(plan: Plan, template: str) -> None:
    written = re.findall(r"\((\d+) containers\): \d+ × \d+ \+ \d+ = (\d+) connections", template)
    assert written == [("2", "45"), ("5", "75")]
    for containers, total in written:
        estimate = connections_for(plan.formulas.connections, int(containers))
        assert estimate.total == int(total)
        assert not estimate.needs_pooler
    pooled = re.search(
        r"\((\d+) containers\): Need connection pooler \(PgBouncer\) → (\d+) "
        r"backend connections",
        template,
    )
    assert pooled
    big = connections_for(plan.formulas.connections, int(pooled.group(1)))
    assert big.needs_pooler
    assert big.from_containers == int(pooled.group(2))


def test_storage_examples_match_template(plan: Plan, template: str) -> None:
    written = re.findall(
        r"- ([\d,]+) users: [\d,]+ × 10 × 2MB = (\d+)GB files \+ (\d+)GB DB = "
        r"(\d+)GB",
        template,
    )
    assert len(written) == 3
    for users, files, db, total in written:
        estimate = storage_for(plan.formulas.storage, int(parse_number(users)))
        assert (estimate.files_gb, estimate.database_gb, estimate.total_gb) == (
            Decimal(files),
            Decimal(db),
            Decimal(total),
        )


def test_targets_match_template_table(plan: Plan, template: str) -> None:
    section = template.split("## Performance Targets by Tier")[1].split("\n---\n")[0]
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and "Metric |" not in line
    ]
    assert [[t.metric, *t.values] for t in plan.targets] == rows


def test_baseline_budget_and_line_items_as_written(plan: Plan) -> None:
    assert plan.baseline.budget == 40
    assert sum(i.cost for i in plan.baseline.line_items) == 35
    assert plan.baseline.users == 100 and plan.baseline.requests_per_day == 10_000


def test_scaling_triggers_are_rules(plan: Plan, template: str) -> None:
    cpu = plan.scaling_triggers[0]
    assert cpu.text in template
    assert (cpu.rule.metric, cpu.rule.op, cpu.rule.value, cpu.rule.for_seconds) == (
        "cpu_pct",
        ">",
        70,
        3600,
    )
    assert plan.scaling_triggers[1].rule.for_seconds == 1800
    assert all(t.action in template for t in plan.scaling_triggers)


def test_scenario_steps_match_template(plan: Plan, template: str) -> None:
    for scenario in plan.scenarios:
        for step in scenario.response:
            bold, _, rest = step.phase.partition(" (")
            assert f"**{bold}**" in template
            lead = f"({rest}: " if rest else ": "
            assert f"{lead}{step.text}" in template
