"""The month's cost rules, pure: which hold for a month of bills, and which stay quiet
once they have fired this month."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.spend import gather_spend
from bot.domain.monitoring import AlertState
from bot.monitor.cost_alerts import cost_watch
from store import Store
from tests.costs.conftest import costed_plan
from tests.costs.test_bill_import import FOCUS, PLAIN, load

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _holding(store: Store, **costs: object) -> dict[str, bool]:
    plan = costed_plan(**costs)
    watch = cost_watch(plan, gather_spend(store.costs, plan, NOW), NOW, {}, ())
    return {r.id: r.rule.holds(watch.samples[r.rule.metric][0].value) for r in watch.rules}


def test_each_cost_rule_holds_as_the_bills_say(costs_store: Store) -> None:
    plan = costed_plan()
    load(costs_store, plan, FOCUS)
    load(costs_store, plan, PLAIN)
    # Forecast $522.66 against $40 (both thresholds); API $287.83 > 15 x 1.25, Database
    # $163.33 > 10.50 x 1.25, Storage $5.17 < 5 x 1.25, Cache $0; unassigned $4 of $126 = 3%.
    assert _holding(costs_store) == {
        "cost.forecast.80.2026-12": True,
        "cost.forecast.100.2026-12": True,
        "cost.component.api.2026-12": True,
        "cost.component.database.2026-12": True,
        "cost.component.cache.2026-12": False,
        "cost.component.storage.2026-12": False,
        "cost.unassigned.2026-12": False,
    }


def test_unassigned_cost_over_a_tenth_of_the_month_holds(costs_store: Store) -> None:
    plan = costed_plan(rules=[])
    load(costs_store, plan, FOCUS)
    # No rule: every FOCUS line is unassigned (100% of the month).
    assert _holding(costs_store, rules=[])["cost.unassigned.2026-12"] is True


def test_a_rule_that_fired_this_month_stays_quiet_until_the_next(costs_store: Store) -> None:
    plan = costed_plan()
    load(costs_store, plan, FOCUS)
    result = gather_spend(costs_store.costs, plan, NOW)
    rule_id = "cost.forecast.80.2026-12"
    quiet = cost_watch(plan, result, NOW, {}, {rule_id})
    assert {r.id: r.active for r in quiet.rules}[rule_id] is False
    # Still firing: it stays active, so it can resolve.
    firing = {rule_id: AlertState(rule_id=rule_id, status="firing", fired_at=NOW)}
    again = cost_watch(plan, result, NOW, firing, {rule_id})
    assert {r.id: r.active for r in again.rules}[rule_id] is True
