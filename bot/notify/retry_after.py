"""Reading a Retry-After header the way every poster must: delta-seconds in ASCII digits
(`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`), bounded, else a default.

`str.isdigit()` is true for `²` and `①`, which `int()` refuses; `float()` refuses the
HTTP-date form and accepts `nan` and `1e9`. A header is the other side's word, so a bad
one falls back to our own backoff instead of crashing a delivery or sleeping a day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["MAX_RETRY_AFTER", "retry_after"]

MAX_RETRY_AFTER = 3600.0  # an hour: longer and the outbox's own backoff knows better
_SECONDS = re.compile(r"[0-9]{1,10}", re.ASCII)


def retry_after(
    value: str | None,
    *,
    now: datetime | None = None,
    limit: float = MAX_RETRY_AFTER,
    default: float | None = None,
) -> float | None:
    """Seconds to wait, between 0 and `limit`; `default` when the header is absent or
    neither form. An HTTP-date in the past means "now" (0)."""
    if value is None:
        return default
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return min(float(text), limit)
    if not text.isascii():
        return default
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return default
    if when is None:
        return default
    if when.tzinfo is None:  # "-0000" in RFC 5322 terms: UTC
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(wait, 0.0), limit)
