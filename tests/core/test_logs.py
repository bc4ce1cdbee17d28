"""LOG_LEVEL and LOG_FORMAT: JSON lines with request context, and secrets scrubbed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.core.config import ConfigError, load_settings
from bot.core.logs import configure_logging, log_context


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_time_level_logger_message_and_request_context() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    log = logging.getLogger("capacity_bot.test")
    with log_context(command="tier", request_id="r1", user="U1", event=None):
        log.info("answered %s", "tier 2")
    log.info("outside")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["level"] == "INFO" and first["logger"] == "capacity_bot.test"
    assert first["message"] == "answered tier 2"
    assert (first["command"], first["request_id"], first["user"]) == ("tier", "r1", "U1")
    assert "event" not in first
    assert first["time"].endswith("+00:00")
    assert "command" not in second


@pytest.mark.usefixtures("restore_logging")
def test_a_traceback_stays_inside_its_json_line() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (line,) = out.getvalue().splitlines()
    assert "ValueError: boom" in json.loads(line)["exc"]


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_show_the_context_and_the_level_filters() -> None:
    out = io.StringIO()
    configure_logging("WARNING", "text", stream=out)
    log = logging.getLogger("capacity_bot.test")
    with log_context(command="status"):
        log.info("not shown")
        log.warning("shown")
    (line,) = out.getvalue().splitlines()
    assert line.endswith("WARNING capacity_bot.test shown [command=status]")


@pytest.mark.usefixtures("restore_logging")
def test_every_secret_of_the_settings_is_scrubbed_from_messages_and_tracebacks() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-123-456-abcdef",
            "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
            "CAPACITY_INGEST_TOKEN": "ingest-token-123456",
            "CAPACITY_PROMETHEUS_URL": "https://scraper:pr%40m-pass@prom.example/",
        }
    )
    out = io.StringIO()
    configure_logging("INFO", "text", settings.secret_values(), stream=out)
    log = logging.getLogger("x")
    log.info("token %s and %s", "xoxb-123-456-abcdef", "https://scraper:pr%40m-pass@prom.example/")
    try:
        raise RuntimeError("signing 0123456789abcdef0123456789abcdef / pr@m-pass")
    except RuntimeError:
        log.exception("ingest-token-123456 failed")
    text = out.getvalue()
    for secret in ("xoxb-123-456-abcdef", "0123456789abcdef", "ingest-token-123456", "m-pass"):
        assert secret not in text
    assert "token [redacted] and https://scraper:[redacted]@prom.example/" in text


def test_log_settings_are_checked_and_name_the_variable() -> None:
    settings = load_settings({"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"})
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    with pytest.raises(ConfigError, match=r"^LOG_FORMAT: "):
        load_settings({"LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match=r"^LOG_LEVEL: must be one of DEBUG"):
        load_settings({"LOG_LEVEL": "loud"})
