"""Shared test helpers for metrics and alerts: a settable clock and Deps over a store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.config import Settings
from bot.deps import Deps, build_deps
from store import Store

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
TOKEN = "s3cret-ingest-token"


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_deps(
    clock: Clock,
    *,
    store: Store | None = None,
    db_path: Path | None = None,
    **settings: Any,
) -> Deps:
    values: dict[str, Any] = {"ingest_token": TOKEN, "alerts_channel": "C_ALERTS"}
    values.update(settings)
    if db_path is not None:
        values["db_path"] = db_path
    return build_deps(Settings(**values), store=store or Store(), clock=clock)
