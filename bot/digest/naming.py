"""What a digest is called and which time it says it covers, from the length of its slot:
"Weekly capacity digest ... this week", "Daily capacity digest ... since Sun 29 Nov 09:00",
"Capacity digest ... since 08:00" for an hourly one. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.digest.data import DigestInput
from bot.digest.schedule import period_key
from bot.domain.values import fmt_moment

__all__ = ["covers", "span_words", "title_label"]


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
        return "Daily capacity digest", f"since {_short(since, inp.zone)}"
    return "Capacity digest", f"since {since.astimezone(inp.zone):%H:%M}"


def title_label(name: str, now: datetime, zone: tzinfo) -> str:
    """What follows the product in the title: the ISO week, the day, or the time."""
    if name.startswith("Weekly"):
        return period_key(now, zone)
    return _date(now, zone) if name.startswith("Daily") else _short(now, zone)


def span_words(name: str, start: datetime, now: datetime, zone: tzinfo) -> str:
    if name.startswith("Weekly"):
        return f"Week {_date(start, zone)} to {_date(now, zone)}"
    return f"From {_short(start, zone)} to {_short(now, zone)}"
