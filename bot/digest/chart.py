"""A PNG of the key metrics against their thresholds, with the forecast line.

matplotlib is optional (`pip install capacity-bot[chart]`), so it is imported only
inside `draw_chart`; an ImportError there means "no chart", and the digest says so.
The Figure API is used directly (no pyplot): no global figure registry, safe to call
from a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from bot.digest.build import chart_data
from bot.digest.data import DigestInput
from bot.domain.monitoring import Sample
from bot.monitor.forecast import Trend, forecast_value

__all__ = ["FORECAST_HORIZON", "MAX_METRICS", "PNG_MAGIC", "draw_chart", "draw_digest_chart"]

MAX_METRICS = 6
FORECAST_HORIZON = timedelta(weeks=4)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def draw_chart(
    series: Mapping[str, Sequence[Sample]],
    thresholds: Mapping[str, float],
    forecasts: Mapping[str, Trend],
    path_or_buffer: str | Path | BinaryIO | None = None,
    *,
    horizon: timedelta = FORECAST_HORIZON,
    dpi: int = 100,
) -> bytes:
    """One small axis per metric (at most six): samples, threshold, and the trend ahead.

    Returns the PNG bytes and also writes them to `path_or_buffer` when given.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    metrics = list(series)[:MAX_METRICS]
    count = max(1, len(metrics))
    cols = 1 if count == 1 else 2
    rows = (count + cols - 1) // cols
    fig = Figure(figsize=(5 * cols, 2.6 * rows), dpi=dpi, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    flat = [ax for row in axes for ax in row]
    if not metrics:
        flat[0].text(0.5, 0.5, "no data", ha="center", va="center")
        flat[0].set_axis_off()
    for ax, metric in zip(flat, metrics, strict=False):
        points = sorted(series[metric], key=lambda s: s.at)
        xs: list[datetime] = [s.at for s in points]
        ys = [s.value for s in points]
        ax.plot(xs, ys, linewidth=1.2, label="samples")
        trend = forecasts.get(metric)
        if trend is not None:
            end = trend.at + horizon
            start = xs[0] if xs else trend.at
            ax.plot(
                [start, trend.at, end],
                [
                    forecast_value(trend, start),
                    forecast_value(trend, trend.at),
                    forecast_value(trend, end),
                ],
                linestyle="--",
                linewidth=1,
                label="trend",
            )
        threshold = thresholds.get(metric)
        if threshold is not None:
            ax.axhline(threshold, color="tab:red", linewidth=1, label="threshold")
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
        for label in ax.get_xticklabels():
            label.set_rotation(30)
        ax.legend(fontsize=6, loc="upper left")
    for ax in flat[len(metrics) :] if metrics else flat[1:]:
        ax.set_axis_off()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = buffer.getvalue()
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data)
    elif path_or_buffer is not None:
        path_or_buffer.write(data)
    return data


def draw_digest_chart(inp: DigestInput) -> bytes:
    """The chart for one digest input (ImportError when matplotlib is not installed)."""
    data = chart_data(inp)
    return draw_chart(data.series, data.thresholds, data.forecasts)
