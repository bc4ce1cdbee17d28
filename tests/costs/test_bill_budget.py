"""Once bills cover the month, their month so far is the cost every budget rule uses (the
plan's own "> $60/mo (Tier 0)" threshold included) and `status` says so; before that the
pushed `cost_usd` samples count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import build_router
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.render.text import render_text
from tests.costs.conftest import costed_plan, deps_for
from tests.costs.test_bill_import import load
from tests.support.metrics_helpers import Clock

NOW = datetime(2026, 12, 10, 9, tzinfo=UTC)
RULE = "threshold.cost_usd.0"  # the template's `cost_usd > 150% of budget`: $60 at Tier 0


def _status(deps: Deps) -> str:
    return render_text(build_router().dispatch("status", deps.context("U1")))


def test_the_bills_month_so_far_is_what_the_budget_threshold_reads() -> None:
    plan = costed_plan()
    deps = deps_for(plan, Clock(NOW))
    try:
        # A pushed sample says $20: within the threshold, and what status shows.
        deps.store.metrics.add_batch([Sample(metric="cost_usd", at=NOW, value=20)])
        evaluate_once(deps, NOW)
        assert deps.store.alerts.states()[RULE].status == "inactive"
        text = _status(deps)
        assert "Cost this month:" in text and "$20 of $40/mo" in text
        assert "pushed `cost_usd` samples (no bill covers this month yet)" in text
        # The bills say $70 (Clerk's month $25, Railway $45 over the first nine days).
        body = "2026-12,Clerk,25\n" + "".join(f"2026-12-0{d},Railway,5\n" for d in range(1, 10))
        load(deps.store, plan, body.encode())
        evaluate_once(deps, NOW + timedelta(minutes=1))
        assert deps.store.alerts.states()[RULE].status == "firing"
        text = _status(deps)
        assert "$70 of $40/mo (175%, over budget)" in text
        assert "Cost from:" in text and "bills, through 10 Dec 00:00 UTC" in text
    finally:
        deps.close()


def test_a_month_without_bills_still_reads_the_pushed_samples() -> None:
    plan = costed_plan()
    deps = deps_for(plan, Clock(NOW))
    try:
        # Last month's bill covers November only: December's cost is the pushed $80.
        load(deps.store, plan, b"2026-11-20,Railway,5\n")
        deps.store.metrics.add_batch([Sample(metric="cost_usd", at=NOW, value=80)])
        evaluate_once(deps, NOW)
        assert deps.store.alerts.states()[RULE].status == "firing"
    finally:
        deps.close()
