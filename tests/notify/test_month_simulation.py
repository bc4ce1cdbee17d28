"""A month of a growing product, in seconds: MAU from 100 to 12,000, the team recording
`built 1` and `built 2` as it goes, driving the real evaluation job, outbox and the fake
Slack with an injected clock. It must end with no alert of a built tier firing and no
firing alert whose condition no longer holds, having said each thing once."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import timedelta

import pytest

from bot.commands import build_router
from bot.deps import Deps
from bot.domain.costs import current_tier
from bot.domain.tiers import budget, with_built
from bot.jobs.alerts import evaluate_once, rollup_once
from bot.monitor import Sample
from bot.monitor.rules_from_plan import rules_from_plan
from bot.monitor.staleness import STALE_PREFIX
from bot.notify.compose import load_payload
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import T0, Clock, make_deps

ROUTER = build_router()

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

DAYS = 30
STEP = timedelta(minutes=10)
# Growth reaches 12,000 MAU on day 28; the team takes two days from the gap warning to
# recording the tier as built.
GROWTH_DAYS = 28
REACTION = timedelta(days=2)


def mau_at(elapsed: timedelta, rng: random.Random) -> float:
    """100 -> 12,000 over the month (exponential growth), busier by day, a little noise."""
    days = elapsed.total_seconds() / 86400
    trend = 100 * (120 ** (min(days, GROWTH_DAYS) / GROWTH_DAYS))
    daily = 1 + 0.04 * math.sin(2 * math.pi * (days % 1))
    return round(trend * daily * rng.uniform(0.99, 1.01))


def samples_at(elapsed: timedelta, rng: random.Random, deps: Deps) -> list[Sample]:
    now = deps.clock()
    mau = mau_at(elapsed, rng)
    spend = budget(with_built(deps.plan, deps.store.tiers.built_tier()))
    out = [
        Sample(metric="mau", at=now, value=mau),
        # Spend follows what is provisioned (the built tier's budget), plus usage: from
        # `built 1` on it is ~$95, which the template's fixed "> $60/mo" would page about.
        Sample(metric="cost_usd", at=now, value=round(float(spend) * 0.95 + 0.004 * mau, 2)),
        Sample(metric="api_p95_ms", at=now, value=300 + rng.uniform(0, 150)),
    ]
    # cpu_pct is exported for ten days, lost for ten (an exporter broke), then back.
    day = elapsed.days
    if day < 10 or day >= 20:
        out.append(Sample(metric="cpu_pct", at=now, value=35 + rng.uniform(0, 10)))
    return out


def message_kind(deps: Deps) -> Counter[str]:
    """Messages sent, by kind: `firing:tier_trigger`, `resolved:stale`, `built`, ..."""
    counts: Counter[str] = Counter()
    for row in deps.store.outbox.by_status("sent"):
        alerts = load_payload(row.payload).alerts
        kinds = sorted({a.kind for a in alerts})
        counts[":".join([row.kind, *kinds])] += 1
    return counts


async def test_a_month_of_growth_ends_quiet_and_consistent(slack: FakeSlack) -> None:
    clock = Clock(T0)
    deps = make_deps(clock, planners="U_PLANNER")
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    worker = Worker(deps.store, poster, deps.clock, base_delay=0.01)
    rng = random.Random(11)
    gap_since: dict[int, timedelta] = {}
    recorded = []
    steps = int(timedelta(days=DAYS) / STEP)
    for n in range(steps + 1):
        elapsed = n * STEP
        clock.now = T0 + elapsed
        deps.store.metrics.add_batch(samples_at(elapsed, rng, deps))
        evaluate_once(deps, clock())
        await worker.run_once()
        if n % 6 == 0:
            rollup_once(deps, clock())
        # The team: a gap seen for REACTION gets its tier built and recorded.
        plan = with_built(deps.plan, deps.store.tiers.built_tier())
        latest = deps.store.metrics.latest("mau")
        demand = current_tier(plan, latest.value if latest else None)
        if demand > plan.built_tier:
            since = gap_since.setdefault(demand, elapsed)
            if elapsed - since >= REACTION:
                reply = ROUTER.dispatch(f"built {demand}", deps.context("U_PLANNER"))
                assert not reply.error, reply
                recorded.append((demand, elapsed.days))

    plan = with_built(deps.plan, deps.store.tiers.built_tier())
    assert [tier for tier, _ in recorded] == [1, 2] and plan.built_tier == 2
    final_mau = deps.store.metrics.latest("mau")
    assert final_mau is not None and 11_000 < final_mau.value < 13_000

    states = deps.store.alerts.states()
    rules = {r.id: r for r in rules_from_plan(plan)}
    firing = sorted(rid for rid, s in states.items() if s.status == "firing")
    for rule_id in firing:
        if rule_id.startswith(STALE_PREFIX):
            newest = deps.store.metrics.latest(rule_id.removeprefix(STALE_PREFIX))
            assert newest is None or clock() - newest.at > timedelta(seconds=plan.stale_after)
            continue
        rule = rules[rule_id]
        assert rule.tier is None or rule.tier > plan.built_tier, rule_id
        newest = deps.store.metrics.latest(rule.rule.metric)
        assert newest is not None and rule.rule.holds(newest.value), rule_id

    counts = message_kind(deps)
    print(f"\nmonth simulation: {steps} ticks, built {recorded}, messages by kind {dict(counts)}")
    assert deps.store.outbox.counts().keys() <= {"sent"}  # nothing stuck or lost
    assert counts["built"] == 2
    # Demand reached Tier 1 and Tier 2: one gap warning each, never a reminder.
    assert counts["firing:tier_trigger"] == 2 and counts["reminder:tier_trigger"] == 0
    # Cost stayed within 150% of the built tier's budget: no cost alert at all.
    assert counts["firing:threshold"] == 0
    # cpu_pct went quiet once: one warning, one resolution.
    assert counts["firing:stale"] == 1 and counts["resolved:stale"] == 1
    top_level = [m for m in slack.messages_in("C_ALERTS") if m.thread_ts in (None, m.ts)]
    assert len(top_level) == sum(v for k, v in counts.items() if not k.startswith("resolved"))
    assert len(top_level) <= 12  # a channel a team keeps unmuted
