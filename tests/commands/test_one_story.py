"""Two tier ideas, one story: "sized for" (the smallest tier whose capacity covers N users)
and "trigger reached" (the highest tier whose users trigger has fired) are named the same
way, with the same tiers, in `cost N`, `status`, `triggers`, Home, the digest and the
alerts, at every tier edge and around every trigger of the template's plan."""

from __future__ import annotations

import re

import pytest

from bot.commands import build_router
from bot.domain.tiers import gap_text
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.render.text import render_text
from bot.services.home import home_reply
from tests.support.metrics_helpers import Clock, make_deps

# users -> (sized for, trigger reached), read off the template: capacities 100 / 1,000 /
# 10,000 / 100,000 users, users triggers MAU > 800 / > 8,000 / > 80,000.
CASES = {
    1: (0, 0),
    100: (0, 0),
    101: (1, 0),
    799: (1, 0),
    800: (1, 0),
    801: (1, 1),
    1_000: (1, 1),
    1_001: (2, 1),
    5_000: (2, 1),
    7_999: (2, 1),
    8_000: (2, 1),
    8_001: (2, 2),
    10_000: (2, 2),
    10_001: (3, 2),
    80_000: (3, 2),
    80_001: (3, 3),
    100_000: (3, 3),
}

SIZED = re.compile(r"[Ss]ized for:?\s+Tier (\d)")
REACHED = re.compile(r"Trigger reached:\s+Tier (\d)|Trigger reached:\s+none yet \(Tier (0)")


def tiers_named(text: str) -> tuple[set[int], set[int]]:
    sized = {int(m) for m in SIZED.findall(text)}
    reached = {int(a or b) for a, b in REACHED.findall(text)}
    return sized, reached


@pytest.mark.parametrize("users", list(CASES))
def test_every_surface_tells_one_story_at_tier_edges_and_triggers(users: int) -> None:
    sized, reached = CASES[users]
    clock = Clock()
    deps = make_deps(clock)
    router = build_router()
    cost = render_text(router.dispatch(f"cost {users}", deps.context(user_id="U1")))
    assert tiers_named(cost) == ({sized}, {reached}), cost
    deps.store.metrics.add_batch([Sample(metric="mau", at=clock(), value=users)])
    evaluate_once(deps, clock())
    ctx = deps.context(user_id="U1")
    surfaces = {
        "status": render_text(router.dispatch("status", ctx)),
        "triggers": render_text(router.dispatch("triggers", ctx)),
        "home": render_text(home_reply(ctx, router)),
        "digest": render_text(router.dispatch("digest", ctx)),
    }
    for name, text in surfaces.items():
        assert tiers_named(text) == ({sized}, {reached}), (name, text)
        assert "Demand tier" not in text, name
    # The stored demand mark keeps its meaning: the tier whose trigger was reached.
    assert (deps.store.tiers.mark("demand") or 0) == reached
    if reached > 0:  # the alert that speaks of the gap names both
        gap = gap_text(deps.plan, reached, 0, users)
        assert tiers_named(gap) == ({sized}, {reached}), gap


def test_cost_5000_and_status_at_5000_read_as_one_story() -> None:
    clock = Clock()
    deps = make_deps(clock)
    router = build_router()
    cost = render_text(router.dispatch("cost 5000", deps.context(user_id="U1")))
    deps.store.metrics.add_batch([Sample(metric="mau", at=clock(), value=5000)])
    status = render_text(router.dispatch("status", deps.context(user_id="U1")))
    for text in (cost, status):
        assert "Sized for:" in text and "Tier 2: 100x Growth (the smallest whose capacity" in text
        assert "Tier 2's trigger MAU > 8,000 not reached yet" in text
    assert "$415/mo" in cost
