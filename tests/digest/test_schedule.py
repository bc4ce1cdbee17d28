from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import last_fire_time, missed_run, period_key, scheduled_times

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
CRON = "0 9 * * mon"


def test_berlin_digest_stays_at_nine_local_across_the_autumn_change() -> None:
    # Summer time ends Sun 25 Oct 2026: 09:00 local is 07:00 UTC before, 08:00 UTC after.
    times = scheduled_times(
        CRON, BERLIN, datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)
    )
    assert [t.astimezone(BERLIN).hour for t in times] == [9, 9, 9]
    assert [t.astimezone(UTC) for t in times] == [
        datetime(2026, 10, 19, 7, tzinfo=UTC),
        datetime(2026, 10, 26, 8, tzinfo=UTC),
        datetime(2026, 11, 2, 8, tzinfo=UTC),
    ]


def test_new_york_digest_stays_at_nine_local_across_the_spring_change() -> None:
    # Daylight time starts Sun 8 Mar 2026: 14:00 UTC before, 13:00 UTC after.
    times = scheduled_times(
        CRON, NEW_YORK, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    )
    assert [t.astimezone(UTC) for t in times] == [
        datetime(2026, 3, 2, 14, tzinfo=UTC),
        datetime(2026, 3, 9, 13, tzinfo=UTC),
    ]


def test_a_daily_cron_in_the_skipped_hour_runs_once_that_day() -> None:
    # 02:30 does not exist in Berlin on 29 Mar 2026; the day still gets one run.
    times = scheduled_times(
        "30 2 * * *", BERLIN, datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
    )
    days = [t.astimezone(BERLIN).date().day for t in times]
    assert days.count(29) <= 1 and 28 in days and 30 in days


@pytest.mark.parametrize(
    ("at", "zone", "key"),
    [
        (datetime(2026, 11, 30, 8, tzinfo=UTC), BERLIN, "2026-W49"),
        (datetime(2026, 12, 28, 8, tzinfo=UTC), UTC, "2026-W53"),
        (datetime(2027, 1, 4, 8, tzinfo=UTC), UTC, "2027-W01"),
        # Sunday 23:30 UTC is already Monday in Berlin: the local week counts.
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), BERLIN, "2026-W49"),
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), UTC, "2026-W48"),
    ],
)
def test_period_is_the_local_iso_week(at: datetime, zone: ZoneInfo, key: str) -> None:
    assert period_key(at, zone) == key


MONDAY_9 = datetime(2026, 11, 30, 9, tzinfo=BERLIN)


def test_missed_digest_within_grace_is_posted() -> None:
    now = MONDAY_9 + timedelta(hours=11)
    assert missed_run(CRON, BERLIN, "2026-W48", now) == MONDAY_9
    assert missed_run(CRON, BERLIN, None, now) == MONDAY_9


def test_missed_digest_beyond_grace_is_skipped() -> None:
    assert missed_run(CRON, BERLIN, "2026-W48", MONDAY_9 + timedelta(hours=13)) is None


def test_grace_edge_and_custom_grace() -> None:
    assert missed_run(CRON, BERLIN, None, MONDAY_9 + timedelta(hours=12)) == MONDAY_9
    assert missed_run(CRON, BERLIN, None, MONDAY_9 + timedelta(hours=2), timedelta(hours=1)) is None


def test_a_posted_slot_is_not_missed() -> None:
    assert missed_run(CRON, BERLIN, "2026-11-30T09:00+01:00", MONDAY_9 + timedelta(hours=1)) is None


def test_a_digest_keyed_by_its_week_before_slots_still_counts_as_posted() -> None:
    assert missed_run(CRON, BERLIN, "2026-W49", MONDAY_9 + timedelta(hours=1)) is None
    assert missed_run(CRON, BERLIN, "2026-W48", MONDAY_9 + timedelta(hours=1)) == MONDAY_9


def test_last_fire_time_finds_the_newest_slot() -> None:
    assert last_fire_time(CRON, BERLIN, MONDAY_9 + timedelta(days=3)) == MONDAY_9
    assert last_fire_time(CRON, BERLIN, MONDAY_9 - timedelta(seconds=1)) == MONDAY_9 - timedelta(
        days=7
    )


def test_slot_keys_are_local_times_with_their_offset() -> None:
    from bot.digest.schedule import previous_fire_time, slot_key

    assert slot_key(MONDAY_9, BERLIN) == "2026-11-30T09:00+01:00"
    # The two 02:30s of the night clocks go back are two slots, not one.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert slot_key(first, BERLIN) == "2026-10-25T02:30+02:00"
    assert slot_key(second, BERLIN) == "2026-10-25T02:30+01:00"
    assert previous_fire_time("0 9 * * *", BERLIN, MONDAY_9) == MONDAY_9 - timedelta(days=1)
    assert previous_fire_time(CRON, BERLIN, MONDAY_9) == MONDAY_9 - timedelta(days=7)
