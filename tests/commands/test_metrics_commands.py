"""`metric`, `silence`, `status` and live `triggers`, with and without a store."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Context, build_router
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.planio.planfile import default_plan
from bot.render.text import render_text
from tests.conftest import answer
from tests.support.metrics_helpers import T0, Clock, make_deps


def ask(deps: Deps, text: str, user: str = "U_PLANNER") -> str:
    return render_text(build_router().dispatch(text, deps.context(user_id=user)))


def test_metric_records_a_sample() -> None:
    deps = make_deps(Clock())
    out = ask(deps, "metric mau 8,412")
    assert "Recorded mau = 8,412 users" in out
    assert deps.store.metrics.latest("mau").value == 8412  # type: ignore[union-attr]


def test_metric_rejects_unknown_names_and_non_finite_values() -> None:
    deps = make_deps(Clock())
    assert "not a metric in the plan" in ask(deps, "metric users 5")
    assert "`inf` is not a number" in ask(deps, "metric mau inf")
    assert "not a number" in ask(deps, "metric mau lots")
    assert deps.store.metrics.count() == 0


def test_only_planners_write_when_planners_are_set() -> None:
    deps = make_deps(Clock(), planners="U_PLANNER")
    assert "Only planners" in ask(deps, "metric mau 5", user="U_OTHER")
    assert "Only planners" in ask(deps, "silence tier2.mau 2h", user="U_OTHER")
    assert "Recorded" in ask(deps, "metric mau 5", user="U_PLANNER")


def test_silence_is_shown_in_triggers_with_who_and_until() -> None:
    clock = Clock()
    deps = make_deps(clock)
    assert "Silenced tier2.mau for 2h" in ask(deps, "silence tier2.mau 2h")
    out = ask(deps, "triggers")
    assert "until 2026-11-27 12:00 UTC by U_PLANNER" in out
    assert "No rule" in ask(deps, "silence nope 2h")
    assert "30 days" in ask(deps, "silence tier2.mau 90d")


def test_triggers_show_live_state_value_and_since() -> None:
    clock = Clock()
    deps = make_deps(clock)
    deps.store.metrics.add_batch([Sample(metric="mau", at=clock(), value=9000)])
    evaluate_once(deps, clock())
    out = ask(deps, "triggers")
    assert "CPU > 70% for 1 hour" in out  # the plan's answer is kept
    line = next(x for x in out.splitlines() if x.startswith("tier2.mau"))
    assert "firing" in line and "9,000 users" in line and "2026-11-27 10:00 UTC" in line


def test_status_shows_tier_next_triggers_alerts_and_budget() -> None:
    clock = Clock()
    deps = make_deps(clock)
    deps.store.metrics.add_batch(
        [
            Sample(metric="mau", at=clock(), value=850),
            Sample(metric="api_p95_ms", at=clock(), value=1200),
            Sample(metric="cost_usd", at=clock(), value=120),
        ]
    )
    evaluate_once(deps, clock() + timedelta(seconds=1))
    out = ask(deps, "status")
    assert "Capacity status: demand Tier 1, built Tier 0" in out
    assert "Triggers for Tier 2" in out and "MAU > 8,000" in out
    assert "API p95 > 800ms" in out and "MET" in out
    assert "Firing alerts" in out and "tier1.api_p95_ms" in out
    # Cost is measured against the budget of the tier that is built, not the one demanded.
    assert "Budget:                $40/mo (built Tier 0)" in out
    assert "$120 of $40/mo (300%, over budget)" in out


def plan_only(text: str) -> str:
    ctx = Context(plan=default_plan(), now=T0, user_id="U1")
    return render_text(build_router().dispatch(text, ctx))


def test_plan_only_answers_work_without_a_store() -> None:
    assert "Capacity status: demand Tier 0, built Tier 0" in plan_only("status")
    assert "Nothing recorded" in plan_only("metric mau 850")
    assert "Live state" not in plan_only("triggers")
    assert "Live state" in answer("triggers")


def test_triggers_before_any_evaluation_say_no_data_or_not_checked_not_inactive() -> None:
    deps = make_deps(Clock())
    ask(deps, "metric mau 9000")  # recorded; no `serve` has evaluated it yet
    out = ask(deps, "triggers")
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("tier1.")}
    assert "not checked yet" in rows["tier1.mau"] and "9,000 users" in rows["tier1.mau"]
    assert "no data" in rows["tier1.storage_gb"]
    assert not any("inactive" in row for row in rows.values())
