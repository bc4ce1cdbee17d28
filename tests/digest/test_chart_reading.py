"""The digest chart as a reader sees it in Slack, where the image is first shown 400 px
wide: every text at least 10 px high there (measured from matplotlib's own text extents),
panels titled in the plan's words with the unit on the axis, the threshold labelled with
its rule and value, "now" and the forecast's crossing date marked, cost against budget."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.digest.data import DigestInput
from bot.digest.panels import Panel, budget_tier, chart_panels

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from bot.digest.chart import SHOWN_WIDTH_PX, draw_panels, render_figure  # noqa: E402
from tests.digest.conftest import NOW, daily  # noqa: E402


def with_cost(inp: DigestInput) -> DigestInput:
    samples = dict(inp.samples)
    samples["cost_usd"] = daily("cost_usd", 20, 0.9)  # ends at $44.30, over the $40 budget
    return replace(inp, samples=samples)


def shown_texts(panels: list[Panel]) -> list[tuple[str, float]]:
    """(text, height in px when the image is shown SHOWN_WIDTH_PX wide) for every text."""
    fig = render_figure(panels, NOW)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    scale = SHOWN_WIDTH_PX / (fig.get_figwidth() * fig.dpi)
    found = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.width <= 0 or not fig.bbox.overlaps(box):
            continue  # tick labels matplotlib keeps beyond the axis
        found.append((text.get_text(), box.height * scale))
    return found


def test_every_text_is_at_least_10_px_high_at_slacks_preview_width(seeded: DigestInput) -> None:
    texts = shown_texts(chart_panels(with_cost(seeded)))
    assert len(texts) > 30  # titles, axis labels, tick labels, annotations
    small = [(t, round(h, 1)) for t, h in texts if h < 10]
    assert small == []


def test_panels_speak_the_plans_words(seeded: DigestInput) -> None:
    texts = {t for t, _ in shown_texts(chart_panels(with_cost(seeded)))}
    # Titles from the plan's metric descriptions, units on the axis.
    assert {"Database connections in use", "API response time p95", "Monthly active users"} <= texts
    assert {"connections", "ms", "users", "$/mo"} <= texts
    # The threshold says which rule and its value; now and the crossing are marked.
    assert "Tier 1 trigger: db_connections > 80" in texts
    assert "now" in texts and "forecast" in texts
    assert "crosses 3 Dec" in texts  # 68 connections, +14 a week: over 80 on 3 Dec
    # The month's cost against the budget of the tier in place.
    assert "Infrastructure cost this month" in texts and "Budget $40/mo (Tier 0)" in texts


def test_cost_is_held_against_the_budget_tiers_budget(seeded: DigestInput) -> None:
    assert budget_tier(seeded) == 0
    (cost,) = [p for p in chart_panels(with_cost(seeded)) if p.unit == "$/mo"]
    assert cost.threshold == 40.0
    assert chart_panels(seeded)[-1].unit != "$/mo"  # no cost samples: no cost panel


def test_the_png_is_one_column_800_px_wide(seeded: DigestInput) -> None:
    png = draw_panels(chart_panels(with_cost(seeded)), NOW)
    import io

    import matplotlib.image as mpimg

    height, width, _ = mpimg.imread(io.BytesIO(png), format="png").shape
    assert width == 800 and height == 5 * 320
