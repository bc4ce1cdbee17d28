"""CAPACITY_DIGEST_CRON's weekday field means what cron means: 0 and 7 = Sunday, names,
ranges, lists and steps; APScheduler's own numbering (0 = Monday) never leaks through.
A database written before the fix keeps its digest slots: no second post after upgrading."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.core.config import Settings
from bot.digest.schedule import scheduled_times
from tests.digest.test_slots import Process, digests
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import Clock

# Sun 6 Dec 2026 00:00 to Sat 12 Dec 23:59: one of each weekday.
WEEK_START = datetime(2026, 12, 6, tzinfo=UTC)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def fired_days(weekday_field: str, cron_head: str = "0 9 * *") -> list[str]:
    times = scheduled_times(
        f"{cron_head} {weekday_field}", UTC, WEEK_START, WEEK_START + timedelta(days=7)
    )
    return [DAYS[t.weekday()] for t in times]


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("1", ["Mon"]),
        ("2", ["Tue"]),
        ("3", ["Wed"]),
        ("4", ["Thu"]),
        ("5", ["Fri"]),
        ("6", ["Sat"]),
        ("sun", ["Sun"]),
        ("mon", ["Mon"]),
        ("Sat", ["Sat"]),
        ("FRI", ["Fri"]),
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0-6", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        ("1-7", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        ("5-7", ["Sun", "Fri", "Sat"]),
        ("sun-sat", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        ("0,6", ["Sun", "Sat"]),
        ("sat,sun", ["Sun", "Sat"]),
        ("1,3,5", ["Mon", "Wed", "Fri"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
        ("1-5/2", ["Mon", "Wed", "Fri"]),
        ("1/2", ["Mon", "Wed", "Fri"]),
        ("0,7", ["Sun"]),
        ("*", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
    ],
)
def test_every_weekday_form_fires_on_the_days_cron_would(field: str, days: list[str]) -> None:
    assert fired_days(field) == days


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("0 9 * * 8", "0-7 (0 and 7 = Sunday)"),
        ("0 9 * * funday", "sun..sat"),
        ("0 9 * * fri-mon", "runs backwards"),
        ("0 9 * * 1/0", "positive number"),
        ("0 9 * *", "5-field crontab"),
        ("0 25 * * mon", "e.g. '0 9 * * mon'"),
    ],
)
def test_a_bad_weekday_is_refused_naming_the_variable(cron: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(digest_cron=cron)
    text = str(info.value)
    assert "CAPACITY_DIGEST_CRON" in text or "digest_cron" in text
    assert reason in text


def test_sunday_as_seven_is_accepted_by_the_configuration() -> None:
    assert Settings(digest_cron="0 9 * * 7").digest_cron == "0 9 * * 7"


def test_day_of_month_and_weekday_both_set_fire_on_either_as_cron_does() -> None:
    # cron: "09:00 on the 1st of the month and on every Monday".
    times = scheduled_times(
        "0 9 1 * mon",
        UTC,
        datetime(2026, 11, 28, tzinfo=UTC),
        datetime(2026, 12, 15, tzinfo=UTC),
    )
    assert [t.strftime("%a %d") for t in times] == ["Mon 30", "Tue 01", "Mon 07", "Mon 14"]


def test_weekdays_are_read_in_the_team_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    times = scheduled_times("30 0 * * 1", berlin, WEEK_START, WEEK_START + timedelta(days=7))
    assert [t.astimezone(berlin).strftime("%a %H:%M") for t in times] == ["Mon 00:30"]


async def test_a_database_from_before_the_fix_keeps_its_slots_without_a_double_post(
    tmp_path: Path,
) -> None:
    """tests/data/digest-cron-before-weekdays.db: main at c6097d2 with
    CAPACITY_DIGEST_CRON="0 9 * * 1" posted its digest on Tue 8 Dec 2026 09:00 (slot key
    `2026-12-08T09:00+00:00`), a day late. After the upgrade the same cron means Monday:
    restarting that Tuesday posts nothing again, and the next digest is Mon 14 Dec's,
    covering the week since Mon 7 Dec."""
    path = tmp_path / "capacity.db"
    shutil.copy(Path(__file__).parents[1] / "data" / "digest-cron-before-weekdays.db", path)
    async with FakeSlack() as slack:
        clock = Clock(datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
        bot = Process(slack, clock, path, "0 9 * * 1")
        assert bot.deps.store.digests.last_posted() == "2026-12-08T09:00+00:00"
        assert await bot.catch_up() is None
        await bot.worker.run_once()
        assert digests(slack) == []
        clock.now = datetime(2026, 12, 14, 9, 0, 1, tzinfo=UTC)
        await bot.scheduled()
        await bot.scheduled()  # a second firing of the same slot posts nothing more
        (posted,) = digests(slack)
        assert "Week Mon 07 Dec 2026 to Mon 14 Dec 2026" in posted
        assert bot.deps.store.digests.get("2026-12-08T09:00+00:00") is not None
        bot.deps.close()
