"""When the digest is due, and which slot a run belongs to.

Pure apart from APScheduler's `CronTrigger`, which only computes times. A slot is one
scheduled time of CAPACITY_DIGEST_CRON in the team's zone, keyed by that local time with
its offset (`2026-11-30T09:00+01:00`): one digest per slot, whatever time the run actually
started and however many processes tried, covering the time since the slot before.
Before slots, a digest was keyed by its ISO week (`2026-W48`); such keys are still read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger

from bot.core.crontab import cron_trigger
from bot.digest.naming import period_key
from bot.domain.monitoring import require_aware

__all__ = [
    "DEFAULT_GRACE",
    "current_slot",
    "last_fire_time",
    "missed_run",
    "period_key",
    "previous_fire_time",
    "scheduled_times",
    "slot_key",
]

DEFAULT_GRACE = timedelta(hours=12)
# A cron firing every minute over a long window would otherwise build a huge list.
_MAX_TIMES = 100_000


def slot_key(fire_time: datetime, zone: tzinfo) -> str:
    """The scheduled local time with its offset, e.g. `2026-11-30T09:00+01:00` (the offset
    keeps the two 02:30s of a daylight-saving night apart)."""
    return require_aware(fire_time).astimezone(zone).isoformat(timespec="minutes")


def _is_week_key(key: str) -> bool:
    return len(key) == 8 and key[4:6] == "-W"


def _trigger(cron: str, zone: tzinfo) -> BaseTrigger:
    return cron_trigger(cron, zone)


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


def previous_fire_time(cron: str, zone: tzinfo, fire_time: datetime) -> datetime | None:
    """The slot before `fire_time` (a week back at most for a weekly cron; 40 days for rarer
    ones), or None when the cron never fired in that window."""
    for within in (timedelta(days=8), timedelta(days=40)):
        found = last_fire_time(cron, zone, fire_time - timedelta(microseconds=1), within)
        if found is not None:
            return found
    return None


def current_slot(cron: str, zone: tzinfo, now: datetime) -> tuple[datetime, timedelta] | None:
    """The slot `now` falls in: when it started (the newest scheduled time at or before
    `now`) and how long it runs (to the next scheduled time). A preview at `now` covers
    what the digest at the slot's end will: the time since its start. None when the cron
    has not fired within 40 days."""
    start = previous_fire_time(cron, zone, require_aware(now) + timedelta(microseconds=1))
    if start is None:
        return None
    following = _trigger(cron, zone).get_next_fire_time(start, start + timedelta(microseconds=1))
    return start, (following - start if following is not None else now - start)


def missed_run(
    cron: str,
    zone: tzinfo,
    last_posted_period: str | None,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """The scheduled time of a digest missed while we were down, if it is still worth posting.

    A slot scheduled within `grace` before `now` that was not posted is returned; older
    ones are skipped (a Monday digest on Wednesday is noise), and so is a slot already
    posted. A last digest keyed by its ISO week (before slots) covers its whole week.
    """
    fire = last_fire_time(cron, zone, now, within=grace)
    if fire is None or last_posted_period is None:
        return fire
    if last_posted_period == slot_key(fire, zone):
        return None
    if _is_week_key(last_posted_period) and last_posted_period == period_key(fire, zone):
        return None
    return fire
