"""Demand tier vs built tier through the fake Slack: the gap said once, `built N` resolves
the alerts of built tiers (edit + thread reply) and is one message, budgets follow it."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from bot.commands import build_router
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.deliver import Worker
from bot.render.text import render_text
from store import Store
from tests.fakeslack import FakeSlack
from tests.fakeslack.server import Message
from tests.support.metrics_helpers import Clock, make_deps
from tests.support.slack import worker_for

ROUTER = build_router()

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CHANNEL = "C_ALERTS"
GAP = (
    "Demand is at Tier 2 (MAU 9,000 > 8,000), Tier 0 is built: "
    "plan the Tier 1 and Tier 2 changes (+$375/mo)"
)


def push(deps: Deps, metric: str, value: float) -> None:
    deps.store.metrics.add_batch([Sample(metric=metric, at=deps.clock(), value=value)])


def ask(deps: Deps, text: str, user: str = "U0PLANNER") -> str:
    return render_text(ROUTER.dispatch(text, deps.context(user_id=user)))


def top_level(slack: FakeSlack) -> list[Message]:
    return [m for m in slack.messages_in(CHANNEL) if m.thread_ts in (None, m.ts)]


def text(message: Message) -> str:
    return html.unescape(message.text or "")


async def tick(deps: Deps, worker: Worker, clock: Clock, minutes: float = 1) -> None:
    clock.advance(minutes=minutes)
    evaluate_once(deps, clock())
    await worker.run_once()


async def test_gap_warning_then_built_resolves_it_and_says_so_once(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    push(deps, "mau", 9000)
    await tick(deps, worker, clock, 0)
    (warning,) = top_level(slack)
    assert GAP in text(warning)

    assert "Built tier: Tier 2: 100x Growth" in ask(deps, "built 2")
    push(deps, "mau", 9000)
    await tick(deps, worker, clock)
    messages = top_level(slack)
    assert len(messages) == 2  # the warning, and one message about the built tier
    notice = text(messages[1])
    assert notice.startswith("Tier 2: 100x Growth is built")
    assert "Recorded by U0PLANNER" in notice and "Budget now $415/mo" in notice
    # Slack shows the planner's name for the mention in the message itself.
    assert "Recorded by <@U0PLANNER>, <!date^" in json.dumps(messages[1].blocks)
    original = slack.message(CHANNEL, warning.ts)
    assert original is not None and original.edits and "✅" in text(original)
    replies = [m for m in slack.messages_in(CHANNEL, thread_ts=warning.ts) if m.ts != warning.ts]
    assert len(replies) == 2  # tier1.mau and tier2.mau, each resolved in the thread
    assert all("Tier 2 is built, so this trigger no longer applies" in text(r) for r in replies)
    states = deps.store.alerts.states()
    assert states["tier1.mau"].status == "inactive" and states["tier2.mau"].status == "inactive"

    for _ in range(3):  # nothing more: no reminder, no second notice
        clock.advance(hours=1)
        push(deps, "mau", 9000)
        await tick(deps, worker, clock, 0)
    assert len(top_level(slack)) == 2
    (entry,) = deps.store.changes.latest(5)
    assert entry.recorded_by == "U0PLANNER" and entry.tier == 2 and "built" in entry.change


async def test_demand_reaching_a_new_tier_is_one_message_each(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    for value in [100, 300, 600, 850, 900, 1500, 4000, 7000]:
        for _ in range(12):  # two hours at each value, a tick every ten minutes
            push(deps, "mau", value)
            await tick(deps, worker, clock, 10)
    (first,) = top_level(slack)
    assert "Demand is at Tier 1 (MAU 850 > 800), Tier 0 is built" in text(first)
    for _ in range(12):
        push(deps, "mau", 9000)
        await tick(deps, worker, clock, 10)
    messages = top_level(slack)
    assert len(messages) == 2
    assert GAP in text(messages[1])


async def test_built_notice_for_a_step_back_and_status_shows_both_tiers(
    slack: FakeSlack,
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    push(deps, "mau", 9000)
    ask(deps, "built 1")
    await tick(deps, worker, clock)
    status = ask(deps, "status")
    assert "Demand tier:           Tier 2: 100x Growth" in status
    assert "Built tier:            Tier 1: 10x Growth, recorded by U0PLANNER" in status
    assert "Gap:                   Plan the Tier 2 changes (+$320/mo)" in status
    assert "Next trigger to watch: Tier 3: MAU > 80,000" in status
    triggers = ask(deps, "triggers")
    assert "inactive (Tier 1 built)" in triggers and "Demand tier" in triggers
    home = render_text(ROUTER.dispatch("built", deps.context("U0PLANNER")))
    assert "Built: Tier 1: 10x Growth" in home
    notices = [m for m in top_level(slack) if text(m).startswith("Tier 1: 10x Growth is built")]
    assert len(notices) == 1


def test_only_planners_record_the_built_tier() -> None:
    deps = make_deps(Clock(), planners="U0PLANNER")
    assert "Only planners" in ask(deps, "built 1", user="U_OTHER")
    assert deps.store.tiers.built() is None
    assert "There is no tier 9: the plan has tiers 1, 2, 3" in ask(deps, "built 9")
    assert "Tier 1" in ask(deps, "built 1")


def test_recorded_built_tier_wins_over_the_plan_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "capacity.db"
    clock = Clock()
    deps = make_deps(clock, store=Store(path))
    ask(deps, "built 2")
    deps.close()
    again = make_deps(clock, store=Store(path))
    # A reloaded plan that says Tier 1 does not undo what the planners recorded.
    again.plan = again.plan.model_copy(update={"built_tier": 1})
    shown = ask(again, "built")
    assert "Built: Tier 2: 100x Growth" in shown and "recorded by U0PLANNER" in shown
    rules = {r.id for r in again.store.alerts.states()}
    assert rules == set()  # nothing evaluated yet; the next tick uses Tier 2


async def test_cost_threshold_follows_the_built_tier_budget(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    push(deps, "cost_usd", 100)
    await tick(deps, worker, clock, 0)
    (warning,) = top_level(slack)
    assert "Cost > $60/mo (150% of the Tier 0 budget, $40/mo)" in text(warning)
    ask(deps, "built 1")  # budget $95: the threshold moves to $142.50
    for _ in range(7):  # clear for the 5-minute hold-down
        push(deps, "cost_usd", 100)
        await tick(deps, worker, clock)
    original = slack.message(CHANNEL, warning.ts)
    assert original is not None and "✅" in text(original)
    assert deps.store.alerts.states()["threshold.cost_usd.0"].status == "inactive"
    assert "$100 of $95/mo (105%, over budget)" in ask(deps, "status")
    assert (
        "Cost: > $60/mo (Tier 0) (p1, Billing dashboard); in force with Tier 1 built:"
        " > $142.50/mo (150% of its $95/mo budget)"
    ) in ask(deps, "triggers")
    push(deps, "cost_usd", 150)
    await tick(deps, worker, clock)
    assert "Cost > $142.50/mo (150% of the Tier 1 budget, $95/mo)" in text(top_level(slack)[-1])


async def test_demand_reaching_a_tier_already_built_is_one_quiet_note(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    push(deps, "mau", 500)
    ask(deps, "built 1")  # built ahead of demand
    await tick(deps, worker, clock)
    (built,) = top_level(slack)
    assert text(built).startswith("Tier 1: 10x Growth is built")
    for _ in range(12):
        push(deps, "mau", 850)
        await tick(deps, worker, clock, 10)
    messages = top_level(slack)
    assert len(messages) == 2
    assert text(messages[1]).startswith("Demand reached Tier 1: 10x Growth")
    assert "Demand is at Tier 1 (MAU 850 > 800), Tier 1 is built: no gap" in text(messages[1])
