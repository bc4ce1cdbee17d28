from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.digest.data import AlertRecord, ChangeRecord, DigestInput
from bot.domain.monitoring import Sample
from bot.domain.plan import Plan

# A Friday; the seeded week runs Fri 20 Nov to Fri 27 Nov 2026.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def daily(metric: str, first: float, per_day: float, days: int = 28) -> list[Sample]:
    """One sample a day for `days` days ending at NOW, rising `per_day` from `first`."""
    return [
        Sample(metric=metric, at=NOW - (days - 1 - i) * DAY, value=first + per_day * i)
        for i in range(days)
    ]


def seeded_week(plan: Plan) -> DigestInput:
    """Tier 0 (mau flat at 90); tier 1's triggers: one rising fast, one falling, one sparse."""
    samples = {
        "mau": daily("mau", 90, 0),
        "api_p95_ms": daily("api_p95_ms", 1000, -4),  # ends at 892
        "db_connections": daily("db_connections", 14, 2),  # ends at 68, +14/week
        "storage_gb": daily("storage_gb", 5, 0.1, days=2),  # two points: not enough data
    }
    latest = {m: (s[-1].value, s[-1].at) for m, s in samples.items()}
    return DigestInput(
        plan=plan,
        now=NOW,
        zone=UTC,
        latest=latest,
        samples=samples,
        alerts_fired_resolved=[
            AlertRecord("API p95 above 1s", NOW - 5 * DAY, NOW - 5 * DAY + timedelta(hours=2)),
            AlertRecord("CPU > 70% for 1 hour", NOW - 3 * DAY, None),
        ],
        still_firing=[AlertRecord("CPU > 70% for 1 hour", NOW - 3 * DAY, None)],
        changes=[
            ChangeRecord(date(2026, 11, 23), "Added PgBouncer", Decimal(0)),
            ChangeRecord(date(2026, 11, 24), "Dedicated Redis", Decimal(10)),
            ChangeRecord(date(2026, 11, 25), "Bigger API container", Decimal("20.50")),
            ChangeRecord(date(2026, 11, 26), "Rotated keys", None),
        ],
        cost_this_month=Decimal("32.50"),
    )


@pytest.fixture
def seeded(plan: Plan) -> DigestInput:
    return seeded_week(plan)


@pytest.fixture
def make_daily() -> Callable[..., list[Sample]]:
    return daily
