"""Trigger wording -> a metric rule, through the catalog's words and the usual ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.rule_text import RuleContext, parse_rule_text
from bot.planio.planfile import default_plan

PLAN = default_plan()
CTX = RuleContext.build(
    [(m.name, m.unit, m.description) for m in PLAN.metrics]
    + [("queue_depth", "jobs", "Jobs waiting in the queue")],
    limits={"db_connections": Decimal(100)},
    targets={"API p95": "< 500ms"},
    extra_words={"queue_depth": ["backlog"]},
)


@pytest.mark.parametrize(
    ("text", "metric", "op", "value", "seconds", "exact"),
    [
        ("Monthly active users (MAU) > 800", "mau", ">", 800, 0, True),
        ("MAU >= 8,000", "mau", ">=", 8000, 0, True),
        ("MAU > 200K", "mau", ">", 200_000, 0, True),
        ("API response time p95 > 1s", "api_p95_ms", ">", 1000, 0, True),
        ("API p95 over 600ms for 15 minutes", "api_p95_ms", ">", 600, 900, True),
        ("Database CPU > 70%", "db_cpu_pct", ">", 70, 0, True),
        ("CPU above 75% for 45 minutes", "cpu_pct", ">", 75, 2700, True),
        ("CPU < 30% for 15 min", "cpu_pct", "<", 30, 900, True),
        ("Memory at least 85% for 1h", "ram_pct", ">=", 85, 3600, True),
        ("Storage > 2TB", "storage_gb", ">", 2000, 0, True),
        ("Storage > 80% capacity", "storage_pct", ">", 80, 0, True),
        ("Revenue over $50K/mo", "revenue_usd", ">", 50_000, 0, True),
        ("Cost > $60/mo (Tier 0)", "cost_usd", ">", 60, 0, True),
        ("Error rate below 1% for 10 min", "error_rate_pct", "<", 1, 600, True),
        ("Backlog > 1,000", "queue_depth", ">", 1000, 0, True),
        # read through an assumption: 80% of the 100-connection limit; the baseline target
        ("DB connections > 80%", "db_connections", ">", 80, 0, False),
        ("p95 response time > target for 24 hours", "api_p95_ms", ">", 500, 86400, False),
    ],
)
def test_wording_becomes_the_rule(
    text: str, metric: str, op: str, value: float, seconds: int, exact: bool
) -> None:
    read = parse_rule_text(text, CTX)
    assert read is not None, text
    assert (read.rule.metric, read.rule.op, read.rule.value) == (metric, op, value)
    assert (read.rule.for_seconds, read.exact) == (seconds, exact)


@pytest.mark.parametrize(
    "text",
    [
        "Multi-region demand (international users)",
        "A second country launches",
        "Overall load feels high",
        "Widgets > 5",  # no metric of the catalog is named
        "CPU > lots",
    ],
)
def test_wording_without_a_metric_and_number_gives_no_rule(text: str) -> None:
    assert parse_rule_text(text, CTX) is None
