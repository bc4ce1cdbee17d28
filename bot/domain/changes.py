"""The change log as data, and the validation every front end shares. Pure: pass `today` in."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from bot.domain.numbers import NumberError, ascii_digits, parse_number, parse_whole, shown
from bot.domain.plan import Plan

__all__ = [
    "CHANGE_MAX",
    "COST_MAX",
    "FIELDS",
    "AuditEntry",
    "Change",
    "ChangeDraft",
    "content_key",
    "parse_cost",
    "parse_day",
    "tier_options",
    "validate_change_fields",
    "visible",
]

CHANGE_MAX = 150
REASON_MAX = 3000
IMPACT_MAX = 3000
# The form's cost input allows 30 characters (Slack's `max_length`); a CSV cell no more.
COST_MAX = 30
# How far ahead a date may be: planned changes are fine, typos like 2205 are not.
FUTURE_LIMIT = timedelta(days=365)
# The earliest date an entry may carry: older is a typo (`0001-01-01`), not history.
EARLIEST = date(2000, 1, 1)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters no entry holds (line breaks and tabs are fine in a reason).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The fields a person fills in, in the order the modal and the shell ask for them.
FIELDS = ("date", "change", "reason", "impact", "cost_change", "tier")


class ChangeDraft(BaseModel):
    """A validated entry that is not stored yet."""

    model_config = ConfigDict(frozen=True)

    date: date
    change: str
    reason: str
    impact: str = ""
    cost_change: Decimal | None = None
    tier: int | None = None


class Change(ChangeDraft):
    """One entry of the change log as stored: what was filled in, and who, where, when."""

    id: int
    recorded_by: str
    channel_id: str | None = None
    created_at: datetime
    edited_at: datetime | None = None
    edited_by: str | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def draft(self) -> ChangeDraft:
        return ChangeDraft(**self.model_dump(include=set(ChangeDraft.model_fields)))


class AuditEntry(BaseModel):
    """Who did what to which entry, and when (`add`, `edit`, `delete`, `restore`, `import`)."""

    model_config = ConfigDict(frozen=True)

    change_id: int
    action: str
    by: str
    at: datetime
    detail: str = ""


def parse_cost(text: str) -> Decimal:
    """`+$10/mo`, `-5.50`, `$1,200` -> an exact Decimal; NumberError (a ValueError) otherwise."""
    value = parse_number(text, signed=True, money=True, scale=True)
    if abs(value) > Decimal(10) ** 12:
        raise NumberError(text, f"`{shown(text)}` is larger than any monthly amount.", "large")
    if -value.as_tuple().exponent > 6:  # type: ignore[operator]
        raise NumberError(text, f"`{shown(text)}` has more than 6 decimal places.", "places")
    return value


def tier_options(plan: Plan) -> list[tuple[int, str]]:
    """(number, label) for the baseline and every tier: what an entry may be tagged with."""
    units = plan.unit_plural
    options = [(0, f"Baseline ({plan.baseline.users:,} {units})")]
    options += [
        (n, f"Tier {n}: {tier.name} ({tier.users:,} {units})")
        for n, tier in enumerate(plan.tiers, start=1)
    ]
    return options


def visible(text: str) -> bool:
    """Whether `text` shows anything: zero-width, direction-override and other format or
    control characters, marks and spaces alone do not."""
    return any(unicodedata.category(ch)[0] not in "CZM" for ch in text)


def parse_day(text: str) -> date:
    """`YYYY-MM-DD` only (Python also reads `20261120` and `2026-W47-5`); ValueError else."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    return str(value).strip()


def validate_change_fields(
    raw: Mapping[str, object], plan: Plan, today: date
) -> tuple[ChangeDraft | None, dict[str, str]]:
    """Check what a person typed. Returns the draft, or None and one message per bad field.

    `raw` maps the names in FIELDS to text (or already-typed values); missing means empty.
    """
    errors: dict[str, str] = {}

    day: date | None = None
    given = raw.get("date")
    if isinstance(given, date):
        day = given
    elif not _text(raw, "date"):
        day = today
    else:
        try:
            day = parse_day(ascii_digits(_text(raw, "date")))
        except NumberError as exc:
            errors["date"] = exc.message
        except ValueError:
            errors["date"] = (
                f"`{_text(raw, 'date')[:30]}` is not a date; write it as YYYY-MM-DD, "
                f"e.g. {today.isoformat()}."
            )
    if day is not None and day < EARLIEST:
        errors["date"] = f"{day.isoformat()} is before {EARLIEST.year}; check the year."
        day = None
    if day is not None and day > today + FUTURE_LIMIT:
        errors["date"] = (
            f"{day.isoformat()} is more than a year ahead; "
            f"log changes up to {(today + FUTURE_LIMIT).isoformat()}."
        )

    change = " ".join(_text(raw, "change").split())
    if not visible(change):
        errors["change"] = "Say what changed, e.g. `Added 2nd API container`."
    elif len(change) > CHANGE_MAX:
        errors["change"] = (
            f"Keep the change to {CHANGE_MAX} characters (this is {len(change)}); "
            "put the detail in the reason."
        )

    reason = _text(raw, "reason")
    if not visible(reason):
        errors["reason"] = "Say why, e.g. `p95 exceeded 1s during peak hours`."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Keep the reason under {REASON_MAX} characters."

    impact = _text(raw, "impact")
    if len(impact) > IMPACT_MAX:
        errors["impact"] = f"Keep the impact under {IMPACT_MAX} characters."
    for name in ("change", "reason", "impact"):
        found = _CONTROL.search(_text(raw, name))
        if found is not None and name not in errors:
            # A NUL cuts text short in C and in most tools; none of these belongs in a log.
            errors[name] = (
                f"The {name} has a control character in it (U+{ord(found.group()):04X}); "
                "remove it and type the text again."
            )

    cost: Decimal | None = None
    given_cost = raw.get("cost_change")
    if isinstance(given_cost, Decimal):
        cost = given_cost
    elif len(_text(raw, "cost_change")) > COST_MAX:
        errors["cost_change"] = (
            f"Keep the cost change to {COST_MAX} characters, e.g. `-25.50` or `+$1,200/mo`."
        )
    elif _text(raw, "cost_change"):
        try:
            cost = parse_cost(_text(raw, "cost_change"))
        except NumberError as exc:
            errors["cost_change"] = (
                exc.message
                if exc.kind in ("ambiguous", "grouping", "digit", "places", "large")
                else f"`{shown(_text(raw, 'cost_change'))}` is not a monthly amount; "
                "write a number such as `10`, `+$10` or `-25.50`."
            )

    tier: int | None = None
    given_tier = raw.get("tier")
    tier_text = _text(raw, "tier").lower().removeprefix("tier").strip()
    if isinstance(given_tier, int):
        tier_text = str(given_tier)
    if tier_text in ("baseline", "base"):
        tier_text = "0"
    if tier_text:
        try:
            number = parse_whole(tier_text, "tier")
        except NumberError as exc:
            number = None
            if exc.kind == "digit":
                errors["tier"] = exc.message
        if number is not None and 0 <= number <= plan.tier_count:
            tier = number
        elif "tier" not in errors:
            errors["tier"] = (
                f"The plan has no tier `{shown(tier_text, 20)}`; choose 0 (baseline) to "
                f"{plan.tier_count}, or leave it empty."
            )

    if errors or day is None:
        return None, errors
    return (
        ChangeDraft(
            date=day, change=change, reason=reason, impact=impact, cost_change=cost, tier=tier
        ),
        {},
    )


def content_key(draft: ChangeDraft, namespace: str = "content") -> str:
    """A key derived from what an entry says: the same row imported twice gets the same key."""
    parts = [
        draft.date.isoformat(),
        draft.change,
        draft.reason,
        draft.impact,
        "" if draft.cost_change is None else str(draft.cost_change.normalize()),
        "" if draft.tier is None else str(draft.tier),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{namespace}:{digest}"
