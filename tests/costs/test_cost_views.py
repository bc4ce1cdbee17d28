"""The bills in the digest (its text and its cost panel) and on Home."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands import build_router
from bot.commands.digest import digest_input
from bot.commands.home import home_reply
from bot.digest.build import build_digest
from bot.digest.chart import PNG_MAGIC, draw_digest_chart
from bot.digest.panels import chart_panels
from bot.render.text import render_text
from tests.costs.conftest import costed_plan, deps_for
from tests.costs.test_bill_import import FOCUS, PLAIN, load
from tests.support.metrics_helpers import Clock

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_the_digest_shows_the_bills_and_draws_planned_against_actual() -> None:
    plan = costed_plan()
    deps = deps_for(plan, Clock(NOW))
    try:
        load(deps.store, plan, FOCUS)
        load(deps.store, plan, PLAIN)
        inp = digest_input(deps.context("U1"))
        text = render_text(build_digest(inp))
        png = draw_digest_chart(inp)
    finally:
        deps.close()
    # The bills' month so far ($126) is the digest's cost, and the table follows it.
    assert "Cost this month: $126" in text
    assert "API                      $15        $26.50   $287.83" in text
    panel = chart_panels(inp)[-1]
    bars = {b.name: (b.planned, b.actual, b.forecast) for b in panel.bars}
    assert bars["API"] == (15.0, 26.5, 287.83) and bars["Unassigned"] == (0.0, 4.0, 41.33)
    assert panel.title == "December: $523 forecast, $40 budget"
    assert png.startswith(PNG_MAGIC)


def test_home_shows_the_months_bills_once_there_are_some() -> None:
    plan = costed_plan()
    deps = deps_for(plan, Clock(NOW))
    router = build_router()
    try:
        before = render_text(home_reply(deps.context("U1"), router))
        load(deps.store, plan, PLAIN)
        after = render_text(home_reply(deps.context("U1"), router))
    finally:
        deps.close()
    assert "What we pay this month" not in before
    assert "What we pay this month (`/capacity spend`)" in after
    # Clerk's month $25 to Auth; Railway $3 to API; Vercel Blob $0.50 to Storage.
    assert "This month:" in after and "$28.50 of $40/mo budget" in after
