from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.digest.build import chart_data
from bot.digest.chart import PNG_MAGIC, draw_chart
from bot.digest.data import DigestInput
from bot.monitor.forecast import fit
from tests.digest.conftest import NOW, daily

mpimg = pytest.importorskip("matplotlib.image")


def _decode(png: bytes) -> tuple[int, ...]:
    return tuple(mpimg.imread(io.BytesIO(png), format="png").shape)


def test_chart_of_the_seeded_week_is_a_valid_png(seeded: DigestInput, tmp_path: Path) -> None:
    data = chart_data(seeded)
    target = tmp_path / "digest.png"
    png = draw_chart(data.series, data.thresholds, data.forecasts, target)
    assert png.startswith(PNG_MAGIC)
    assert target.read_bytes() == png
    height, width, channels = _decode(png)
    assert width == 800 and height == 4 * 320 and channels in (3, 4)  # one panel a metric


def test_chart_writes_to_a_buffer_and_caps_at_six_metrics() -> None:
    series = {f"m{i}": daily(f"m{i}", i, 1) for i in range(9)}
    trends = {m: t for m, s in series.items() if (t := fit(s, NOW)) is not None}
    buffer = io.BytesIO()
    png = draw_chart(series, {m: 50.0 for m in series}, trends, buffer)
    assert buffer.getvalue() == png
    height, width, _ = _decode(png)
    assert (width, height) == (800, 6 * 320)  # six metrics, not nine


def test_chart_without_data_still_draws() -> None:
    png = draw_chart({}, {}, {})
    assert png.startswith(PNG_MAGIC) and _decode(png)[0] > 0
