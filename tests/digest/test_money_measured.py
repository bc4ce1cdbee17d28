"""Money that was never measured is never shown as measured: without a `cost_usd` sample
Home says so and labels the plan's figures as planned; with one sample of $342 the
digest's cost panel shows it (a single sample is a dot, not an invisible line)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from bot.commands import build_router
from bot.digest.data import DigestInput
from bot.digest.panels import chart_panels
from bot.domain.monitoring import Sample
from bot.render.text import render_text
from bot.services.home import home_reply
from tests.digest.conftest import NOW
from tests.support.metrics_helpers import Clock, make_deps


def home_text(with_cost: float | None) -> str:
    clock = Clock()
    deps = make_deps(clock)
    if with_cost is not None:
        deps.store.metrics.add_batch([Sample(metric="cost_usd", at=clock(), value=with_cost)])
    return render_text(home_reply(deps.context(user_id="U1"), build_router()))


def test_home_without_a_cost_sample_shows_no_spending_and_labels_the_plan_as_planned() -> None:
    text = home_text(None)
    assert "$35 of $40" not in text and "left" not in text and "over" not in text
    assert "This month:            no cost data yet (no `cost_usd` sample)" in text
    assert "Budget:                $40/mo planned for Tier 0" in text
    assert "$35/mo planned" in text


def test_home_with_a_cost_sample_shows_it_as_measured() -> None:
    text = home_text(342)
    assert "This month:            $342 of $40/mo budget (measured)" in text
    assert "Budget:                $302 over" in text


def test_one_cost_sample_is_drawn_in_the_charts_cost_panel(seeded: DigestInput) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.image as mpimg

    from bot.digest.chart import draw_panels

    samples = dict(seeded.samples)
    samples["cost_usd"] = [Sample(metric="cost_usd", at=NOW, value=342.0)]
    panels = chart_panels(replace(seeded, samples=samples))
    cost = panels[-1]
    assert cost.title == "Infrastructure cost this month" and len(cost.samples) == 1
    png = draw_panels([cost], NOW)
    pixels = mpimg.imread(io.BytesIO(png), format="png")
    # The samples' blue (#1f77b4) is on the picture: the $342 is shown, not an empty panel.
    blue = (
        (abs(pixels[..., 0] - 0x1F / 255) < 0.05)
        & (abs(pixels[..., 1] - 0x77 / 255) < 0.05)
        & (abs(pixels[..., 2] - 0xB4 / 255) < 0.05)
    )
    assert int(blue.sum()) > 20
