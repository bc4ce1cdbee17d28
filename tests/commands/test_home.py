"""The Home tab's content: live where there is data, the plan where there is none."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.domain.changes import ChangeDraft
from bot.domain.monitoring import Sample
from bot.jobs.alerts import evaluate_once
from bot.render.text import render_text
from tests.support.metrics_helpers import T0, Clock, make_deps


def test_home_without_data_shows_the_baseline_and_tier_one_triggers() -> None:
    deps = make_deps(Clock())
    text = render_text(home_reply(deps.context("U1"), build_router()))
    assert "Demand tier:           Tier 0 (MVP Baseline)" in text
    assert "Built tier:            Tier 0 (MVP Baseline), from the plan file" in text
    assert "Next trigger to watch: Tier 1: Monthly active users (MAU) > 800 (no data yet)" in text
    assert "$35 of $40/mo budget (line items)" in text
    assert "Monthly active users (MAU) > 800" in text and "no data" in text
    assert "No changes logged yet" in text


def test_home_with_live_data_shows_tier_cost_alerts_and_changes() -> None:
    clock = Clock()
    deps = make_deps(clock)
    deps.store.metrics.add_batch(
        [
            Sample(metric="mau", at=T0 - timedelta(minutes=1), value=8412),
            Sample(metric="cost_usd", at=T0 - timedelta(minutes=1), value=430),
            Sample(metric="cpu_pct", at=T0 - timedelta(minutes=1), value=95),
        ]
    )
    evaluate_once(deps, clock())
    draft = ChangeDraft(
        date=date(2026, 11, 26), change="Added read replica", reason="p95", cost_change=Decimal(15)
    )
    deps.store.changes.add(draft, "U1", "C1", "k1", clock())
    text = render_text(home_reply(deps.context("U1"), build_router()))
    assert "Demand tier:           Tier 2: 100x Growth" in text
    assert "Users now:             8,412" in text
    # The budget in force is the built tier's (Tier 0, $40), not the demanded tier's.
    assert "$430 of $40/mo budget" in text and "$390 over" in text
    assert "Triggers for Tier 3" in text and "MAU > 80,000" in text
    assert "Firing alerts" in text and "tier2.mau" in text
    assert "Added read replica" in text
