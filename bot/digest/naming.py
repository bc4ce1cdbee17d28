"""What a digest is called and which time it says it covers, from the length of its slot:
"Weekly capacity digest ... this week", "Daily capacity digest ... since Sun 29 Nov 09:00",
"Hourly capacity digest ... since 08:00" for an hourly one, plain "Capacity digest" for any
other slot. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.digest.data import DigestInput
from bot.domain.monitoring import require_aware
from bot.domain.values import Moment, Prose, fmt_moment

__all__ = ["covers", "period_key", "span_words", "title_label"]

# A slot this long is "hourly"; a cron every 20 minutes or every 3 hours is not.
_HOURISH = (timedelta(minutes=50), timedelta(minutes=70))


def period_key(fire_time: datetime, zone: tzinfo) -> str:
    """The ISO week of `fire_time` in `zone`, e.g. `2026-W48`."""
    local = require_aware(fire_time).astimezone(zone)
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def _date(at: datetime, zone: tzinfo) -> str:
    return fmt_moment(at, zone, "day")


def _short(at: datetime, zone: tzinfo) -> str:
    return fmt_moment(at, zone, "short")


def covers(inp: DigestInput) -> tuple[str, str]:
    """(the digest's name, the time it covers as words). The slot's length names it, so
    a preview part-way through a daily slot is still the "Daily capacity digest"."""
    since = inp.since
    if since is None:
        return "Weekly capacity digest", "this week"
    length = inp.slot if inp.slot is not None else inp.now - since
    if length >= timedelta(days=6):
        return "Weekly capacity digest", "this week"
    if length >= timedelta(hours=20):
        return "Daily capacity digest", Prose("since ", Moment(since, inp.zone, "short"))
    # An hourly cron's slot is an hour; a preview part-way through it still knows its slot.
    name = "Hourly capacity digest" if _HOURISH[0] <= length <= _HOURISH[1] else "Capacity digest"
    return name, Prose("since ", Moment(since, inp.zone, "time"))


def title_label(name: str, now: datetime, zone: tzinfo) -> str:
    """What follows the product in the title: the ISO week, the day, or the time."""
    if name.startswith("Weekly"):
        return period_key(now, zone)
    return _date(now, zone) if name.startswith("Daily") else _short(now, zone)


def span_words(name: str, start: datetime, now: datetime, zone: tzinfo) -> Prose:
    """The span the digest covers, its moments kept for Block Kit."""
    if name.startswith("Weekly"):
        if start.astimezone(zone).date() == now.astimezone(zone).date():
            # The slot's first day: "Week Mon 07 Dec to Mon 07 Dec" would claim a week.
            return Prose(
                "So far: ",
                Moment(start, zone, "day"),
                ", ",
                Moment(start, zone, "time"),
                " to ",
                Moment(now, zone, "time"),
            )
        return Prose("Week ", Moment(start, zone, "day"), " to ", Moment(now, zone, "day"))
    return Prose("From ", Moment(start, zone, "short"), " to ", Moment(now, zone, "short"))
