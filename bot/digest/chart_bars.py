"""The digest's cost panel when bills cover the month: per component, planned against the
month so far and the forecast, as horizontal bars a 400 px preview can read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.digest.panels import Panel
from bot.domain.money import fmt_money

__all__ = ["draw_bars"]

_PLANNED = "#bbbbbb"
_ACTUAL = "#1f77b4"
_FORECAST = "#ff7f0e"
_OVER = "#d62728"


def _plain(text: str) -> str:
    """matplotlib reads `$...$` as math: a dollar sign is written `\\$`."""
    return text.replace("$", r"\$")


def draw_bars(ax: Any, panel: Panel, small: float, label_pt: float, title_pt: float) -> None:
    from matplotlib.patches import Patch

    bars = list(panel.bars)
    names = [b.name for b in bars]
    ys = list(range(len(bars)))[::-1]
    height = 0.27
    ax.barh(
        [y + height for y in ys], [b.planned for b in bars], height, color=_PLANNED, label="planned"
    )
    ax.barh(ys, [b.actual for b in bars], height, color=_ACTUAL)
    colors = [_OVER if b.planned and b.forecast > b.planned * 1.25 else _FORECAST for b in bars]
    ax.barh(
        [y - height for y in ys], [b.forecast for b in bars], height, color=colors, label="forecast"
    )
    top = max(
        [b.forecast for b in bars] + [b.planned for b in bars] + [b.actual for b in bars] + [1]
    )
    for y, b in zip(ys, bars, strict=True):
        ax.annotate(
            _plain(fmt_money(Decimal(round(b.forecast)))),
            xy=(b.forecast, y - height),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=small,
        )
    ax.set_xlim(0, top * 1.25)
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=small)
    ax.set_xlabel(panel.unit, fontsize=label_pt)
    ax.set_title(_plain(panel.title), fontsize=title_pt, loc="left", fontweight="bold")
    keys = [
        Patch(color=_PLANNED, label="planned"),
        Patch(color=_ACTUAL, label="month so far"),
        Patch(color=_FORECAST, label="forecast to month end"),
        Patch(color=_OVER, label="forecast >25% over plan"),
    ]
    ax.legend(handles=keys, fontsize=small, loc="lower right", frameon=False)
    ax.tick_params(labelsize=small, length=5, width=1.2)
    ax.grid(axis="x", color="#dddddd", linewidth=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
