"""Every surface holds cost against the same built tier: the one recorded with
`/capacity built N` (it wins over the plan file's `built_tier`). The digest text, its
chart's cost panel, `status` and Home all say Tier 1 here, while demand is at Tier 2."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import build_router
from bot.commands.digest import digest_input
from bot.commands.home import home_reply
from bot.digest.build import build_digest
from bot.digest.panels import budget_tier, chart_panels
from bot.monitor import Sample
from bot.render.text import render_text
from tests.support.metrics_helpers import Clock, make_deps


def test_the_recorded_built_tier_is_the_one_every_surface_budgets_against() -> None:
    clock = Clock()
    deps = make_deps(clock)
    assert deps.plan.built_tier == 0  # the plan file says Tier 0 is built
    days = [clock() - timedelta(days=d) for d in range(10)]
    deps.store.metrics.add_batch([Sample(metric="mau", at=at, value=9000) for at in days])
    deps.store.metrics.add_batch([Sample(metric="cost_usd", at=at, value=120) for at in days])
    deps.store.tiers.record_built(1, "U_PLANNER", clock())
    router = build_router()
    ctx = deps.context(user_id="U_PLANNER")

    status = render_text(router.dispatch("status", ctx))
    assert status.splitlines()[0] == "Capacity status: demand Tier 2, built Tier 1"
    assert "$120 of $95/mo" in status

    home = render_text(home_reply(ctx, router))
    assert "$120 of $95/mo budget" in home

    inp = digest_input(ctx)
    text = render_text(build_digest(inp))
    assert "Built: Tier 1" in text
    assert "Budget:          $95/mo" in text

    assert budget_tier(inp) == 1
    (cost,) = [p for p in chart_panels(inp) if p.unit == "$/mo"]
    assert cost.threshold == 95.0
    assert cost.threshold_label == "Budget $95/mo (Tier 1)"
