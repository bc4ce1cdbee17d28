"""`/capacity digest` and `capacity-bot digest` preview the digest of the current cron
slot: the time since the last scheduled time, under the title the scheduled digest will
carry (Daily for a daily CAPACITY_DIGEST_CRON), not a week whatever the cron says."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.commands import build_router
from bot.core.config import Settings
from bot.deps import Deps
from bot.render.text import render_text
from bot.shell import print_digest
from tests.support.metrics_helpers import Clock, make_deps

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def preview(deps: Deps) -> str:
    return render_text(build_router().dispatch("digest", deps.context(user_id="U1")))


def fired_and_resolved(deps: Deps, rule: str, at: datetime) -> None:
    deps.store.alerts.record_messages([(rule, at.isoformat())], 1, "C_ALERTS", "1.1")
    deps.store.alerts.mark_resolved(rule, at.isoformat(), at + timedelta(minutes=30))


def test_a_daily_cron_previews_the_day_so_far_as_a_daily_digest() -> None:
    clock = Clock(MONDAY_9 + timedelta(hours=6))
    deps = make_deps(clock, digest_cron="0 9 * * *")
    fired_and_resolved(deps, "threshold.cpu_pct.0", MONDAY_9 - timedelta(hours=13))  # Sun
    fired_and_resolved(deps, "threshold.error_rate_pct.0", MONDAY_9 + timedelta(hours=1))
    text = preview(deps)
    assert text.startswith("Daily capacity digest, Mon 30 Nov 2026")
    assert "Alerts since Mon 30 Nov 09:00 UTC" in text
    assert "Error rate" in text and "CPU utilization" not in text  # Sunday's was yesterday's
    assert "From Mon 30 Nov 09:00 UTC to Mon 30 Nov 15:00 UTC" in text
    assert "Preview: only you can see this" in text


def test_an_hourly_cron_previews_the_hour_so_far() -> None:
    clock = Clock(MONDAY_9 + timedelta(minutes=40))
    deps = make_deps(clock, digest_cron="0 * * * *")
    fired_and_resolved(deps, "threshold.cpu_pct.0", MONDAY_9 - timedelta(hours=2))
    fired_and_resolved(deps, "threshold.error_rate_pct.0", MONDAY_9 + timedelta(minutes=10))
    text = preview(deps)
    assert text.startswith("Hourly capacity digest, Mon 30 Nov 09:40 UTC")
    assert "Alerts since 09:00 UTC" in text and "Error rate" in text and "CPU" not in text


def test_a_weekly_cron_previews_since_the_last_monday_slot() -> None:
    clock = Clock(MONDAY_9 + timedelta(days=2))  # Wednesday
    deps = make_deps(clock)  # the default: 0 9 * * mon
    text = preview(deps)
    assert text.startswith("Weekly capacity digest, 2026-W49")
    assert "Week Mon 30 Nov 2026 to Wed 02 Dec 2026" in text


def test_the_cli_previews_the_cron_slot(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = Settings(db_path=tmp_path / "capacity.db", digest_cron="30 6 * * *")
    assert print_digest(settings, out=out) == 0
    assert out.getvalue().startswith("Daily capacity digest, ")
    assert "06:30 UTC to " in out.getvalue()


def test_a_weekly_preview_on_the_slots_first_day_says_the_hours_it_covers() -> None:
    # "Week Mon 30 Nov 2026 to Mon 30 Nov 2026" claimed a week; it is three hours so far.
    clock = Clock(MONDAY_9 + timedelta(hours=3, minutes=12))
    deps = make_deps(clock)  # the default: 0 9 * * mon
    text = preview(deps)
    assert "Week Mon 30 Nov 2026 to Mon 30 Nov 2026" not in text
    assert "So far: Mon 30 Nov 2026, 09:00 UTC to 12:12 UTC" in text
