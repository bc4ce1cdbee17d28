"""Text that must stay on one line: an email subject, a PagerDuty summary, an alert title."""

from __future__ import annotations

import unicodedata

__all__ = ["one_line"]


def one_line(text: str, limit: int = 200) -> str:
    """`text` as one line: every line or paragraph separator and control character (CR,
    LF, VT, FF, NEL, U+2028, U+2029, ...) becomes a space, runs of spaces one, cut at
    `limit`. For headers and one-line fields (an email subject, a PagerDuty summary)."""
    spaced = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return " ".join(spaced.split())[:limit]
