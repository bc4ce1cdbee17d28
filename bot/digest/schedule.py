"""When the digest is due, and which period a run belongs to.

Pure apart from APScheduler's `CronTrigger`, which only computes times. A period is the
ISO week of the scheduled local time (`2026-W48`): one digest per week, whatever time the
run actually started and however many processes tried.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

from bot.domain.monitoring import require_aware

__all__ = ["DEFAULT_GRACE", "last_fire_time", "missed_run", "period_key", "scheduled_times"]

DEFAULT_GRACE = timedelta(hours=12)
# A cron firing every minute over a long window would otherwise build a huge list.
_MAX_TIMES = 100_000


def period_key(fire_time: datetime, zone: tzinfo) -> str:
    """The ISO week of `fire_time` in `zone`, e.g. `2026-W48`."""
    local = require_aware(fire_time).astimezone(zone)
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def _trigger(cron: str, zone: tzinfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=zone)


def scheduled_times(cron: str, zone: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Every time `cron` fires in `zone` within `[start, end]`, as aware local datetimes.

    APScheduler walks wall-clock fields in `zone`, so `0 9 * * mon` is 09:00 local on both
    sides of a daylight-saving change (08:00 UTC in summer, 09:00 UTC in winter in Berlin).
    """
    start, end = require_aware(start), require_aware(end)
    trigger = _trigger(cron, zone)
    times: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= end and len(times) < _MAX_TIMES:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return times


def last_fire_time(
    cron: str, zone: tzinfo, now: datetime, within: timedelta = timedelta(days=8)
) -> datetime | None:
    """The newest scheduled time at or before `now`, looking back at most `within`."""
    times = scheduled_times(cron, zone, require_aware(now) - within, now)
    return times[-1] if times else None


def missed_run(
    cron: str,
    zone: tzinfo,
    last_posted_period: str | None,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """The scheduled time of a digest missed while we were down, if it is still worth posting.

    A run scheduled within `grace` before `now` whose period was not posted is returned;
    older ones are skipped (a Monday digest on Wednesday is noise), and so is a period
    already posted.
    """
    fire = last_fire_time(cron, zone, now, within=grace)
    if fire is None:
        return None
    if period_key(fire, zone) == last_posted_period:
        return None
    return fire
