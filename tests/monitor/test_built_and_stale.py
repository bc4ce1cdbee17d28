"""Rules of built tiers retire (their alerts resolve); quiet metrics warn once. Pure."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.plan import Plan
from bot.domain.tiers import with_built
from bot.monitor import Sample, evaluate
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import staleness
from tests.support.metrics_helpers import T0

STALE = timedelta(minutes=15)


def test_rules_of_built_tiers_are_inactive_and_budget_thresholds_follow(plan: Plan) -> None:
    rules = {r.id: r for r in rules_from_plan(with_built(plan, 1))}
    assert not rules["tier1.mau"].active and rules["tier2.mau"].active
    assert not rules["tier2.mau"].remind
    assert rules["threshold.cost_usd.0"].rule.value == 142.5


def test_a_firing_trigger_resolves_when_its_tier_is_built(plan: Plan) -> None:
    samples = {"mau": [Sample(metric="mau", at=T0, value=900)]}
    first = evaluate(rules_from_plan(plan), samples, {}, T0)
    assert first.states["tier1.mau"].status == "firing"
    later = T0 + timedelta(minutes=1)
    again = {"mau": [Sample(metric="mau", at=later, value=900)]}
    built = evaluate(rules_from_plan(with_built(plan, 1)), again, first.states, later)
    (event,) = built.events
    assert (event.kind, event.rule_id, event.reason) == ("resolved", "tier1.mau", "built")
    assert event.fired_at == T0
    assert built.states["tier1.mau"].status == "inactive"
    quiet = evaluate(rules_from_plan(with_built(plan, 1)), again, built.states, later)
    assert quiet.events == []


def test_a_built_trigger_that_never_fired_says_nothing(plan: Plan) -> None:
    samples = {"mau": [Sample(metric="mau", at=T0, value=900)]}
    result = evaluate(rules_from_plan(with_built(plan, 1)), samples, {}, T0)
    assert result.events == [] and result.states["tier1.mau"].status == "inactive"


def test_staleness_table() -> None:
    seen = {"cpu_pct": (T0, 40.0)}
    # Never reported: no state, no event.
    assert staleness(["ram_pct"], {}, {}, T0, STALE).states == {}
    fresh = staleness(["cpu_pct"], seen, {}, T0 + timedelta(minutes=10), STALE)
    assert fresh.events == [] and fresh.states["stale.cpu_pct"].status == "inactive"
    later = T0 + timedelta(minutes=16)
    warn = staleness(["cpu_pct"], seen, fresh.states, later, STALE)
    (event,) = warn.events
    assert event.kind == "firing" and event.held_for_seconds == 16 * 60
    hours = staleness(["cpu_pct"], seen, warn.states, later + timedelta(hours=9), STALE)
    assert hours.events == []  # once, never a reminder
    back = {"cpu_pct": (later + timedelta(hours=10), 45.0)}
    resolved = staleness(["cpu_pct"], back, hours.states, later + timedelta(hours=10), STALE)
    (done,) = resolved.events
    assert done.kind == "resolved" and done.fired_at == later and done.value == 45.0


def test_a_stale_warning_closes_when_no_rule_watches_the_metric_any_more() -> None:
    seen = {"cpu_pct": (T0, 40.0)}
    warn = staleness(["cpu_pct"], seen, {}, T0 + timedelta(minutes=16), STALE)
    later = T0 + timedelta(hours=1)
    gone = staleness([], seen, warn.states, later, STALE)
    (event,) = gone.events
    assert (event.kind, event.reason, event.rule_id) == ("resolved", "unwatched", "stale.cpu_pct")
    assert gone.states == {}
