"""Log records that cannot forge lines or leak what a request carried.

Installed on the handlers (so it sees every record, whatever logger made it and whatever
formatter prints it): control characters in a message are escaped (a `%0A` in a slash
command cannot start a forged log line), traceback lines are indented under their record,
Slack response URLs and tokens are masked, and Bolt's records, which quote whole request
bodies ("Unhandled request ({...})"), keep their first words only.
"""

from __future__ import annotations

import logging
import re

__all__ = ["SafeLogFilter", "escape_controls", "install", "redact"]

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SECRETS = re.compile(
    r"(https?://[^\s\"'<>]*/(?:commands|actions|response|services)/[^\s\"'<>]*)"
    r"|(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)"
)
MAX_MESSAGE = 2000
BOLT_LOGGER = "capacity_bot.bolt"


def escape_controls(text: str) -> str:
    """`\\n` -> `\\x0a` and the like: what is left is one line of printable text."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def redact(text: str) -> str:
    """Response URLs (each can post into a channel for 30 minutes) and tokens, masked."""
    return _SECRETS.sub(lambda m: "[response_url]" if m.group(1) else "[token]", text)


class SafeLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_capacity_safe", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        if record.name.startswith(BOLT_LOGGER) or record.name.startswith("slack_bolt"):
            # Bolt quotes request bodies after the first "(" or ":"; keep what precedes.
            cut = re.split(r"[(:{\n]", message, maxsplit=1)
            if len(cut) > 1:
                message = cut[0].rstrip() + " (details withheld)"
        message = escape_controls(redact(message))
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "…"
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Every traceback line indented: none can pass for a record of its own.
            lines = redact(record.exc_text).splitlines()
            record.exc_text = "\n".join("    " + escape_controls(line) for line in lines)
        record._capacity_safe = True
        return True


def install(logger: logging.Logger | None = None) -> SafeLogFilter:
    """Add the filter to every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    safe = SafeLogFilter()
    for handler in target.handlers:
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(safe)
    return safe
