"""`spend`: planned against actual per component, the forecast, unassigned cost and the
rules that would catch it; every figure worked out by hand from the test bills."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.commands.spend import gather_spend, spend_reply
from bot.domain.plan import Plan
from bot.domain.spend import UNASSIGNED, planned_costs
from bot.domain.tiers import with_built
from bot.render.blocks import render_message
from bot.render.text import render_text
from store import Store
from tests.costs.conftest import costed_plan
from tests.costs.test_bill_import import FOCUS, PLAIN, load

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_planned_cost_is_each_components_share_of_the_line_items_plus_its_changes() -> None:
    plan = costed_plan()
    planned, unplaced = planned_costs(plan)
    # Railway $30 split 50/35/15, Vercel Blob $5 whole to Storage, Clerk $0 to Auth.
    assert {k: v for k, v in planned.items() if v} == {
        "API": Decimal("15.0"),
        "Database": Decimal("10.50"),
        "Cache": Decimal("4.50"),
        "Storage": Decimal(5),
    }
    # The $40 budget over $35 of line items, Vercel and Stripe ($0) not split: $5 unplaced.
    assert unplaced == 5
    planned1, unplaced1 = planned_costs(with_built(plan, 1))
    # Tier 1 adds API +20, Database +15, Cache +10, Storage +10 (total $95).
    assert planned1["API"] == 35 and planned1["Database"] == Decimal("25.5")
    assert planned1["Cache"] == Decimal("14.5") and planned1["Storage"] == 15
    assert unplaced1 == 5


def _spent(store: Store, plan: Plan) -> dict[str, tuple[Decimal, Decimal]]:
    result = gather_spend(store.costs, plan, NOW)
    return {c.name: (c.actual, c.forecast) for c in (*result.components, result.unassigned)}


def test_the_month_so_far_and_its_forecast_per_component(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, FOCUS)
    load(costs_store, plan, PLAIN)
    spent = _spent(costs_store, plan)
    # So far: API = EC2 30 - credit 5 - adjustment 1.5 + Railway 3 = 26.50; Database = RDS
    # 10 + the 60 fee = 70; Auth = Clerk 25; Storage = Vercel Blob 0.50; tax 4 unassigned.
    # The spread bills reach Dec 4: the run rate is their 3 days (the fee, the one-time
    # adjustment and Clerk's month are not extrapolated), for the 28 days left.
    assert spent["API"] == (Decimal("26.5"), Decimal("287.83"))  # 26.5 + 28/3 * 28
    assert spent["Database"] == (Decimal(70), Decimal("163.33"))  # 70 + 10/3 * 28
    assert spent["Auth"] == (Decimal(25), Decimal(25))
    assert spent["Storage"] == (Decimal("0.5"), Decimal("5.17"))  # 0.5 + 0.5/3 * 28
    assert spent[UNASSIGNED] == (Decimal(4), Decimal("41.33"))  # 4 + 4/3 * 28
    result = gather_spend(costs_store.costs, plan, NOW)
    assert result.actual == 126 and result.forecast == Decimal("522.66")


def test_unassigned_cost_is_shown_with_the_rule_that_would_catch_it(
    costs_store: Store, plan: Plan
) -> None:
    load(costs_store, plan, FOCUS)
    november = gather_spend(costs_store.costs, plan, NOW, datetime(2026, 11, 1, tzinfo=UTC))
    (line,) = november.unassigned_lines
    assert line.label == "AWS · Amazon S3" and line.amount == 2
    assert line.rule == "{provider: AWS, service: Amazon S3, component: Storage}"
    # A month that is over is not extrapolated: the correction is what November cost.
    assert november.unassigned.forecast == 2


def test_a_rule_added_for_the_suggestion_places_the_cost(costs_store: Store) -> None:
    plan = costed_plan(rules=[{"provider": "AWS", "service": "Amazon S3", "component": "Storage"}])
    load(costs_store, plan, FOCUS)
    november = gather_spend(costs_store.costs, plan, NOW, datetime(2026, 11, 1, tzinfo=UTC))
    assert november.unassigned_lines == ()
    assert {c.name: c.actual for c in november.components}["Storage"] == 2


def test_spend_reads_in_the_terminal_and_fits_slack(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, FOCUS)
    load(costs_store, plan, PLAIN)
    reply = spend_reply(gather_spend(costs_store.costs, plan, NOW), 130, plan)
    text = render_text(reply)
    assert "API                      $15        $26.50   $287.83" in text
    assert "Total                    $40          $126   $522.66     1,307%  +1,207%" in text
    assert "Unassigned: $4 (3% of the month)" in text
    assert "AWS: $4 → `{provider: AWS, component: COMPONENT}`" in text
    # 522.66 / 130 users; 522.66 / $25 = 20.9 -> 21 instructors (the plan: 40 / 25 -> 2).
    assert "$4.0205/mo forecast at 130 users (plan: $0.40/mo at 100)" in text
    assert "21 instructors at the forecast (plan: 2)" in text
    message = render_message(reply)
    blocks = message["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


def test_no_bill_says_how_to_import_one(costs_store: Store, plan: Plan) -> None:
    text = render_text(spend_reply(gather_spend(costs_store.costs, plan, NOW), None, plan))
    assert "No bill covers December 2026 yet" in text
    assert "capacity-bot import-costs FILE" in text


def test_a_month_is_read_as_written_or_refused_with_an_example(
    costs_store: Store, plan: Plan
) -> None:
    from bot.commands import build_router
    from tests.costs.conftest import deps_for
    from tests.support.metrics_helpers import Clock

    deps = deps_for(plan, Clock(NOW), store=costs_store)
    router = build_router()
    load(costs_store, plan, FOCUS)
    answers = {
        text: router.dispatch(text, deps.context("U1"))
        for text in ("spend 2026-11", "spend nov", "spend November", "spend 2026-13", "spend 11 12")
    }
    assert answers["spend 2026-11"].title == "Spend, November 2026: built Tier 0"
    assert (
        answers["spend nov"].title
        == answers["spend November"].title
        == "Spend, November 2026: built Tier 0"
    )
    bad = render_text(answers["spend 2026-13"])
    assert answers["spend 2026-13"].error and "`2026-13` is not a month" in bad
    assert "spend 2026-11" in bad
    assert answers["spend 11 12"].error
