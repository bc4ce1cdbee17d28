"""The `capacity-bot digest` command's library call: print the digest, optionally its chart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.commands.digest import digest_input
from bot.config import Settings
from bot.deps import build_deps
from bot.digest.build import build_digest
from bot.digest.job import draw_digest_chart
from bot.render.text import render_text

__all__ = ["print_digest"]


def print_digest(
    settings: Settings,
    chart: Path | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Write the digest as text to `out`; with `chart`, also the PNG there. Exit status."""
    deps = build_deps(settings)
    try:
        inp = digest_input(deps.context(user_id="terminal"))
    finally:
        deps.close()
    if chart is not None:
        try:
            chart.write_bytes(draw_digest_chart(inp))
        except ImportError:
            err.write(
                "capacity-bot: the chart needs matplotlib (pip install 'capacity-bot[chart]')\n"
            )
            return 1
    out.write(render_text(build_digest(inp)))
    return 0
