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
    assert "Tier 1 trigger: Database connections > 80" in texts  # its aside dropped to fit
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


def test_a_crossing_near_the_right_edge_keeps_its_label_inside_the_axes() -> None:
    # The threshold is crossed 13 days out, near the right end of a two-week axis: the
    # label "crosses 20 Nov" used to start at the point and run off the image.
    from datetime import timedelta

    from bot.domain.monitoring import Sample
    from bot.monitor.forecast import Trend

    week = 7 * 24 * 3600
    samples = [
        Sample(metric="mau", at=NOW - timedelta(days=d), value=500 - 10 * d) for d in range(20)
    ]
    crosses = NOW + timedelta(days=13)
    panel = Panel(
        title="Monthly active users",
        unit="users",
        samples=samples,
        threshold=630,  # 500 + 10 a day for 13 days
        threshold_label="Tier 1 trigger: MAU above 630",
        trend=Trend(slope_per_second=70 / week, intercept_at_now=500, points=20, at=NOW),
        crosses_at=crosses,
    )
    fig = render_figure([panel], NOW, horizon=timedelta(days=1))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    label = next(t for t in fig.findobj(Text) if t.get_text().startswith("crosses "))
    box = label.get_window_extent(renderer)
    assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1, (box, ax.bbox)


def test_every_trigger_label_is_in_the_plans_own_words(seeded: DigestInput) -> None:
    # One style: "api_p95_ms > 700ms" beside "MAU above 2,500" read as two vocabularies.
    from bot.digest.panels import trigger_words

    written = {trigger_words(t.text) for t in seeded.plan.tiers[0].triggers}
    labels = [p.threshold_label for p in chart_panels(seeded) if p.threshold_label]
    assert len(labels) >= 3
    for label in labels:
        if label.startswith("Tier 1 trigger: "):
            assert label.removeprefix("Tier 1 trigger: ") in written, label


def test_a_euro_plans_cost_panel_is_in_euros(seeded: DigestInput) -> None:
    """Drawn away from any answer's currency context, the chart names the plan's money."""
    from tests.planio.test_team_documents import plan_of

    plan = plan_of("b2b-api-eur")
    (cost,) = [p for p in chart_panels(replace(with_cost(seeded), plan=plan)) if "/mo" in p.unit]
    assert cost.unit == "€/mo" and cost.threshold_label == "Budget €210/mo (Tier 0)"
