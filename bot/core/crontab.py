"""CAPACITY_DIGEST_CRON read as cron reads it, turned into APScheduler 3 triggers.

APScheduler 3's `CronTrigger.from_crontab` numbers weekdays 0 = Monday and refuses 7, so
`0 9 * * 1` would fire on Tuesday and `1-5` would mean Tuesday to Saturday. Here the
weekday field is read as crontab(5) defines it (0 and 7 = Sunday, `sun`..`sat`, ranges,
lists and steps) and handed to APScheduler as day names, which it reads unambiguously.
Like cron, when both day-of-month and day-of-week are restricted (neither starts with
`*`), a day matching either fires.

Core: config validates with it and the digest's schedule builds its trigger with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

__all__ = ["CronFields", "cron_trigger", "read_crontab"]

# cron's numbering: 0 = Sunday (7 too); APScheduler's names are unambiguous.
_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
EXAMPLE = "'0 9 * * mon' (Mondays 09:00) or '0 9 * * 1-5' (weekdays)"


@dataclass(frozen=True)
class CronFields:
    """The five fields in APScheduler's terms; `either_day` when cron's rule of "day of
    month OR day of week" applies."""

    minute: str
    hour: str
    day: str
    month: str
    day_of_week: str
    either_day: bool


def _weekday(token: str) -> int:
    low = token.lower()
    if low in _NAMES:
        return _NAMES.index(low)
    if low.isdigit() and 0 <= int(low) <= 7:
        return int(low)
    raise ValueError(f"day of week {token!r} is not 0-7 (0 and 7 = Sunday) or sun..sat")


def _weekdays(item: str) -> set[int]:
    """One comma-separated item of the weekday field as cron days 0..7."""
    body, _, step_text = item.partition("/")
    step = 1
    if step_text:
        if not step_text.isdigit() or int(step_text) == 0:
            raise ValueError(f"step {step_text!r} in the day of week is not a positive number")
        step = int(step_text)
    if body == "*":
        first, last = 0, 6
    elif "-" in body:
        start, _, end = body.partition("-")
        first, last = _weekday(start), _weekday(end)
        if first > last:
            raise ValueError(f"day-of-week range {body!r} runs backwards; write e.g. 'fri-sat,sun'")
    else:
        first = _weekday(body)
        last = 6 if step_text else first  # cron: `1/2` means from 1 to the end, every 2nd
    return set(range(first, last + 1, step))


def _day_of_week(field: str) -> str:
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        if not item:
            raise ValueError(f"day of week {field!r} has an empty item")
        days |= _weekdays(item)
    return ",".join(_NAMES[d % 7] for d in sorted({d % 7 for d in days}))


def read_crontab(text: str) -> CronFields:
    """The five fields of `text`, or ValueError saying what is wrong and what would work."""
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"must be a 5-field crontab such as {EXAMPLE}")
    minute, hour, day, month, weekday = fields
    either = not day.startswith("*") and not weekday.startswith("*")
    return CronFields(minute, hour, day, month, _day_of_week(weekday), either)


def cron_trigger(text: str, zone: tzinfo | None = None) -> BaseTrigger:
    """The trigger firing when cron would fire for `text`, on wall-clock time in `zone`."""
    f = read_crontab(text)
    try:
        if not f.either_day:
            return CronTrigger(
                minute=f.minute,
                hour=f.hour,
                day=f.day,
                month=f.month,
                day_of_week=f.day_of_week,
                timezone=zone,
            )
        by_date = CronTrigger(minute=f.minute, hour=f.hour, day=f.day, month=f.month, timezone=zone)
        by_weekday = CronTrigger(
            minute=f.minute, hour=f.hour, month=f.month, day_of_week=f.day_of_week, timezone=zone
        )
    except ValueError as exc:
        raise ValueError(f"{exc}; e.g. {EXAMPLE}") from None
    return OrTrigger([by_date, by_weekday])
