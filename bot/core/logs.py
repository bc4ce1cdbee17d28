"""Logging for `serve`: LOG_LEVEL, LOG_FORMAT=text|json, request context, secrets scrubbed.

Request context (the command, a request id, the user) is held in a context variable, so
every line logged while serving one request carries it, including lines from tasks started
after the ack (asyncio copies the context into new tasks). Every secret the settings hold
is replaced by `[redacted]` in the formatted line, whatever logged it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

__all__ = [
    "JsonFormatter",
    "RedactingFormatter",
    "TextFormatter",
    "configure_logging",
    "log_context",
]

_CONTEXT: ContextVar[dict[str, str]] = ContextVar("capacity_bot_log_context", default={})  # noqa: B039
# Shorter strings would turn ordinary words into "[redacted]".
MIN_SECRET = 6
REDACTED = "[redacted]"
# Chatty at INFO and not ours to act on: every run of every job (the outbox runs every
# 3 s), every Socket Mode ping.
_QUIET = ("apscheduler", "slack_sdk.socket_mode", "slack_bolt.AsyncApp")


class log_context:  # lower case: used like the function it was, `with log_context(...)`
    """Add `fields` (None values skipped) to every line logged inside the block. A class,
    not a generator context manager: it runs on every Slack request (docs/PERFORMANCE.md)."""

    __slots__ = ("fields", "token")

    def __init__(self, **fields: str | None) -> None:
        self.fields = fields

    def __enter__(self) -> None:
        outer = _CONTEXT.get()
        merged = {**outer} if outer else {}
        for key, value in self.fields.items():
            if value:
                merged[key] = value
        self.token = _CONTEXT.set(merged)

    def __exit__(self, *exc: object) -> None:
        _CONTEXT.reset(self.token)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request context, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _CONTEXT.get().items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger message [key=value ...]`, the traceback below."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        context = _CONTEXT.get()
        if context:
            line += " [" + " ".join(f"{k}={v}" for k, v in context.items()) + "]"
        return line


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter and removes every known secret from what it produced."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            if secret in line:
                line = line.replace(secret, REDACTED)
        return line


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Replace the root logger's handlers with one that writes to `stream` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    inner = JsonFormatter() if fmt == "json" else TextFormatter()
    handler.setFormatter(RedactingFormatter(inner, secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in _QUIET:
        logging.getLogger(name).setLevel(quiet)
    return handler
