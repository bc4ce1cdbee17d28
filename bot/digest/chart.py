"""A PNG people can read in Slack: one panel per metric, stacked, sized for a 400 px preview.

Slack shows an uploaded image about 400 px wide before anyone clicks it, so every text
is sized from the figure's width: at least `MIN_TEXT_PX` high at that preview width
(tests measure matplotlib's own text extents). Panels are stacked in one column because
two side by side would be 200 px each there. Each says what it is in the plan's words:
title from the metric's description, the unit on the axis, the threshold labelled with
its rule and value, "now" marked, and the date the forecast crosses the threshold.

matplotlib is optional (`pip install capacity-bot[chart]`), so it is imported only
inside the drawing functions; an ImportError there means "no chart", and the digest says
so. The Figure API is used directly (no pyplot): no global figure registry, safe to call
from a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from bot.digest.data import DigestInput
from bot.digest.panels import Panel, chart_panels
from bot.domain.monitoring import Sample
from bot.monitor.forecast import Trend, forecast_value

__all__ = [
    "DPI",
    "FIGURE_WIDTH_IN",
    "FORECAST_HORIZON",
    "MAX_METRICS",
    "MIN_TEXT_PX",
    "PNG_MAGIC",
    "SHOWN_WIDTH_PX",
    "draw_chart",
    "draw_digest_chart",
    "draw_panels",
    "font_points",
    "render_figure",
]

MAX_METRICS = 6
FORECAST_HORIZON = timedelta(weeks=4)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURE_WIDTH_IN = 8.0
PANEL_HEIGHT_IN = 3.2
# Every panel shows the same stretch of time, so panels can be compared at a glance.
HISTORY = timedelta(days=28)
DPI = 100
# Slack's inline preview width, and the smallest text a reader manages there.
SHOWN_WIDTH_PX = 400
MIN_TEXT_PX = 10
# matplotlib's extent of a line of text is about one em (its "lp" ascent + descent):
# 6% on top of that keeps rounding and other fonts above the line.
_MARGIN = 1.06

_SAMPLES = "#1f77b4"
_FORECAST = "#ff7f0e"
_THRESHOLD = "#d62728"
_NOW = "#555555"


def font_points(scale: float = 1.0) -> float:
    """The font size (pt) whose line is MIN_TEXT_PX high at the preview width, x `scale`."""
    shown = SHOWN_WIDTH_PX / (FIGURE_WIDTH_IN * DPI)
    return scale * MIN_TEXT_PX / shown * 72 / DPI * _MARGIN


def _x_end(panels: Sequence[Panel], now: datetime, horizon: timedelta) -> datetime:
    """Two weeks ahead, or far enough to show the latest crossing date within the horizon
    with its label to the right of it (about a third of the axis)."""
    end = now + timedelta(weeks=2)
    for panel in panels:
        crosses = panel.crosses_at
        if crosses is not None and crosses <= now + horizon:
            end = max(end, crosses + (crosses - (now - HISTORY)) * 0.35)
    return end


def _value_text(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _label_left(panel: Panel, start: datetime, end: datetime) -> bool:
    """A crossing in the right part of the axis is labelled left of its point."""
    crosses = panel.crosses_at
    # The label is about a quarter of the axis wide.
    return crosses is not None and (crosses - start) / (end - start) > 0.75


def _draw_panel(ax: Any, panel: Panel, now: datetime, end: datetime) -> None:
    from matplotlib import dates as mdates
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    small, label_pt, title_pt = font_points(1.0), font_points(1.05), font_points(1.2)
    if panel.bars:
        from bot.digest.chart_bars import draw_bars

        draw_bars(ax, panel, small, label_pt, title_pt)
        return
    start = now - HISTORY
    points = sorted((s for s in panel.samples if s.at >= start), key=lambda s: s.at)
    xs = [s.at for s in points]
    ys = [s.value for s in points]
    values = list(ys)
    if panel.trend is not None:
        # From now on only: drawn over the measured line it would hide it.
        trend_xs = [now, end]
        trend_ys = [forecast_value(panel.trend, x) for x in trend_xs]
        ax.plot(trend_xs, trend_ys, color=_FORECAST, linewidth=2.2, linestyle=(0, (4, 2)))
        values += trend_ys  # the forecast stays inside the panel, its label too
        rising = trend_ys[-1] >= trend_ys[0]
        # The other side of the line from a crossing label drawn left of its point.
        above = rising != _label_left(panel, start, end)
        ax.annotate(
            "forecast",
            xy=(end, trend_ys[-1]),
            xytext=(-4, 6 if above else -6),
            textcoords="offset points",
            ha="right",
            va="bottom" if above else "top",
            fontsize=small,
            color=_FORECAST,
        )
    # A line needs two points: one sample (a month's first cost figure) is a dot.
    marker = "o" if len(xs) < 3 else None
    ax.plot(xs, ys, color=_SAMPLES, linewidth=2.4, solid_capstyle="round", marker=marker)
    if panel.threshold is not None:
        values.append(panel.threshold)
        ax.axhline(panel.threshold, color=_THRESHOLD, linewidth=1.8)
        ax.annotate(
            panel.threshold_label or f"threshold {_value_text(panel.threshold)}",
            xy=(0.01, panel.threshold),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            va="bottom",
            fontsize=small,
            color=_THRESHOLD,
            # Legible where it crosses the "now" line or the data.
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.85},
        )
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.35 or abs(high) * 0.2 or 1.0
    ax.set_ylim(low - pad * 0.4, high + pad)
    ax.set_xlim(start, end)
    if end > now:
        ax.axvline(now, color=_NOW, linewidth=1.4, linestyle=":")
        ax.annotate(
            "now",
            xy=(now, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-3, -3),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=small,
            color=_NOW,
        )
    if panel.crosses_at is not None and panel.threshold is not None and panel.crosses_at <= end:
        ax.plot([panel.crosses_at], [panel.threshold], "o", color=_THRESHOLD, markersize=9)
        # Right of the point, on the side of the threshold the forecast line is not: below
        # a rising line, above a falling one (_x_end leaves room on the right).
        rising = panel.trend is None or panel.trend.slope_per_second >= 0
        # Near the right end (a crossing past the horizon) the label would run off the
        # image: it goes left of the point then, on the side the line is not (above a
        # rising line that comes from below, below a falling one).
        left = _label_left(panel, start, end)
        below = rising != left
        ax.annotate(
            f"crosses {panel.crosses_at:%-d %b}",
            xy=(panel.crosses_at, panel.threshold),
            xytext=(-6 if left else 6, -8 if below else 8),
            textcoords="offset points",
            ha="right" if left else "left",
            va="top" if below else "bottom",
            fontsize=small,
            color=_THRESHOLD,
            fontweight="bold",
        )
    ax.set_title(panel.title, fontsize=title_pt, loc="left", fontweight="bold")
    ax.set_ylabel(panel.unit, fontsize=label_pt)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _value_text(v)))
    # No date at the very ends: half of its label would hang outside the image.
    ticks = mdates.AutoDateLocator(minticks=2, maxticks=4).tick_values(start, end)
    span = mdates.date2num(end) - mdates.date2num(start)
    lo, hi = mdates.date2num(start) + span * 0.04, mdates.date2num(end) - span * 0.08
    ax.xaxis.set_major_locator(FixedLocator([t for t in ticks if lo <= t <= hi]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    ax.tick_params(labelsize=small, length=5, width=1.2)
    ax.grid(axis="y", color="#dddddd", linewidth=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def render_figure(
    panels: Sequence[Panel], now: datetime, horizon: timedelta = FORECAST_HORIZON
) -> Any:
    """The matplotlib Figure (tests measure its texts); `draw_panels` saves it as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    count = max(1, len(panels))
    fig = Figure(figsize=(FIGURE_WIDTH_IN, PANEL_HEIGHT_IN * count), dpi=DPI, layout="constrained")
    axes = fig.subplots(count, 1, squeeze=False)
    if not panels:
        axes[0][0].text(
            0.5, 0.5, "no data yet", ha="center", va="center", fontsize=font_points(1.2)
        )
        axes[0][0].set_axis_off()
    end = _x_end(panels, now, horizon)
    for row, panel in zip(axes, panels, strict=False):
        _draw_panel(row[0], panel, now, end)
    return fig


def draw_panels(
    panels: Sequence[Panel],
    now: datetime,
    path_or_buffer: str | Path | BinaryIO | None = None,
    *,
    horizon: timedelta = FORECAST_HORIZON,
) -> bytes:
    """The PNG of `panels`; also written to `path_or_buffer` when given."""
    fig = render_figure(panels, now, horizon)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = buffer.getvalue()
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data)
    elif path_or_buffer is not None:
        path_or_buffer.write(data)
    return data


def draw_chart(
    series: Mapping[str, Sequence[Sample]],
    thresholds: Mapping[str, float],
    forecasts: Mapping[str, Trend],
    path_or_buffer: str | Path | BinaryIO | None = None,
    *,
    horizon: timedelta = FORECAST_HORIZON,
    now: datetime | None = None,
) -> bytes:
    """Bare series by metric name (no plan at hand): at most six panels."""
    panels = [
        Panel(
            title=metric,
            unit="",
            samples=samples,
            threshold=thresholds.get(metric),
            trend=forecasts.get(metric),
        )
        for metric, samples in list(series.items())[:MAX_METRICS]
    ]
    latest = [s.at for p in panels for s in p.samples]
    moment = now or (max(latest) if latest else datetime.now().astimezone())
    return draw_panels(panels, moment, path_or_buffer, horizon=horizon)


def draw_digest_chart(inp: DigestInput) -> bytes:
    """The chart for one digest input (ImportError when matplotlib is not installed)."""
    return draw_panels(chart_panels(inp), inp.now)
