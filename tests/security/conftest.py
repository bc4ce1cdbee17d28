"""The served bot under attack: the same real server and fake Slack as tests/slack."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.core.logsafe import SafeLogFilter
from tests.slack.conftest import http, make_bot

__all__ = ["http", "log_lines", "make_bot"]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The log as the served bot writes it (root handler, the bot's format and filter)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(SafeLogFilter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
