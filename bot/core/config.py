"""Settings from the environment. The only module that reads it (pass `environ` in tests)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "PAGERDUTY_URL",
    "ConfigError",
    "Settings",
    "SmtpServer",
    "load_settings",
    "parse_smtp_url",
]

# Environment variable -> field name. Anything not listed here is never read.
_VARIABLES = {
    "SLACK_BOT_TOKEN": "bot_token",
    "SLACK_SIGNING_SECRET": "signing_secret",
    "SLACK_APP_TOKEN": "app_token",
    "SLACK_API_URL": "api_url",
    "CAPACITY_PLAN": "plan_path",
    "CAPACITY_DB": "db_path",
    "CAPACITY_ALERTS_CHANNEL": "alerts_channel",
    "CAPACITY_DIGEST_CRON": "digest_cron",
    "CAPACITY_TIMEZONE": "timezone",
    "CAPACITY_INGEST_TOKEN": "ingest_token",
    "CAPACITY_PLANNERS": "planners",
    "CAPACITY_PROMETHEUS_URL": "prometheus_url",
    "CAPACITY_OPENCOST_URL": "opencost_url",
    "CAPACITY_RAW_RETENTION_DAYS": "raw_retention_days",
    "CAPACITY_ALERTS_CHANNEL_P0": "alerts_channel_p0",
    "CAPACITY_ALERTS_CHANNEL_P2": "alerts_channel_p2",
    "CAPACITY_PAGERDUTY_ROUTING_KEY": "pagerduty_routing_key",
    "CAPACITY_PAGERDUTY_URL": "pagerduty_url",
    "CAPACITY_SMTP_URL": "smtp_url",
    "CAPACITY_EMAIL_FROM": "email_from",
    "CAPACITY_EMAIL_TO": "email_to",
    "PORT": "port",
    "LOG_LEVEL": "log_level",
    "LOG_FORMAT": "log_format",
}
_FIELDS = {field: variable for variable, field in _VARIABLES.items()}
PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
_EMAIL = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


class ConfigError(Exception):
    """One clear line naming the variable that is wrong."""


@dataclass(frozen=True)
class SmtpServer:
    """Where p2 alerts are mailed. `implicit_tls` for smtps://; otherwise STARTTLS, which
    is required whenever there are credentials (a password never crosses in the clear)."""

    host: str
    port: int
    username: str | None = field(default=None)
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False

    @property
    def tls_required(self) -> bool:
        return self.implicit_tls or self.username is not None

    def describe(self) -> str:
        """Host and port only: never the credentials."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://user:pass@host:587` or `smtps://host:465`; ValueError naming what is wrong
    (never echoing the URL, which may hold a password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("must start with smtp:// or smtps://, e.g. smtp://user:pass@mail:587")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number") from None
    if not parts.hostname:
        raise ValueError("names no host, e.g. smtp://user:pass@mail.example.com:587")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
    )


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    plan_path: Path | None = None
    db_path: Path = Path("capacity.db")
    alerts_channel: str | None = None
    digest_cron: str = "0 9 * * mon"
    timezone: str = "UTC"
    ingest_token: SecretStr | None = None
    planners: frozenset[str] = frozenset()
    prometheus_url: str | None = None
    # OpenCost's API (http://opencost.opencost:9003): yesterday's allocation pulled hourly.
    opencost_url: str | None = None
    raw_retention_days: int = Field(default=30, ge=1, le=3650)
    port: int = Field(default=3000, ge=1, le=65535)
    # Routes by severity (bot/monitor/routes.py): a Slack channel for p0/p2 alerts that go
    # to Slack, PagerDuty for p0 and email for p2.
    alerts_channel_p0: str | None = None
    alerts_channel_p2: str | None = None
    pagerduty_routing_key: SecretStr | None = None
    pagerduty_url: str = PAGERDUTY_URL
    smtp_url: SecretStr | None = None
    email_from: str | None = None
    email_to: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        level = str(value).strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("log_format", mode="before")
    @classmethod
    def _format(cls, value: Any) -> Any:
        return str(value).strip().lower()

    @field_validator("pagerduty_url")
    @classmethod
    def _pagerduty_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an http(s) URL such as {PAGERDUTY_URL}")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("email_from")
    @classmethod
    def _email_from(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value.strip()):
            raise ValueError(f"{value!r} is not an email address such as capacity@example.com")
        return value.strip() if value else value

    @field_validator("email_to", mode="before")
    @classmethod
    def _email_to(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(a for a in re.split(r"[\s,;]+", value) if a)
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(
                    f"{address!r} is not an email address; list them like a@x.com,b@x.com"
                )
        return value

    @model_validator(mode="after")
    def _email_complete(self) -> Settings:
        if self.smtp_url is not None and not (self.email_from and self.email_to):
            missing = "email_from" if not self.email_from else "email_to"
            raise ValueError(f"{missing}: must be set when CAPACITY_SMTP_URL is")
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        # Read as cron reads it (0 and 7 = Sunday), not as APScheduler numbers weekdays.
        from bot.core.crontab import cron_trigger

        try:
            cron_trigger(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid crontab: {exc}") from None
        return value

    @field_validator("planners", mode="before")
    @classmethod
    def _planners(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(p for p in re.split(r"[\s,]+", value) if p)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def smtp(self) -> SmtpServer | None:
        return parse_smtp_url(self.smtp_url.get_secret_value()) if self.smtp_url else None

    def slack_channel(self, severity: str) -> str:
        """The channel for alerts of `severity` that go to Slack."""
        own = {"p0": self.alerts_channel_p0, "p2": self.alerts_channel_p2}.get(severity)
        return own or self.alerts_channel or ""

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    def secret_values(self) -> list[str]:
        """Every secret the settings hold, for scrubbing logs: the tokens and secrets, and
        the password (or whole user info) of any URL setting with credentials in it."""
        found: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
                found.append(value)
            if isinstance(value, str) and "://" in value:
                parts = urlsplit(value)
                if parts.password:
                    found.append(parts.password)
                    found.append(unquote(parts.password))
                if parts.username and parts.password is None and "@" in parts.netloc:
                    found.append(parts.username)  # a token given as the user, e.g. https://KEY@host
        return [s for s in found if s]

    def may_write(self, user_id: str | None) -> bool:
        """Planners only, when CAPACITY_PLANNERS is set; everyone otherwise."""
        return not self.planners or (user_id is not None and user_id in self.planners)

    def require_for_serve(self) -> None:
        missing = []
        if self.bot_token is None:
            missing.append("SLACK_BOT_TOKEN")
        if not self.socket_mode and self.signing_secret is None:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        if self.alerts_channel is None:
            missing.append("CAPACITY_ALERTS_CHANNEL")
        if missing:
            raise ConfigError(f"{', '.join(missing)} must be set to serve")
        token = self.bot_token.get_secret_value() if self.bot_token else ""
        if not token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app = self.app_token.get_secret_value() if self.app_token else None
        if app is not None and not app.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment); empty values are unset."""
    source = os.environ if environ is None else environ
    values = {
        field: source[var] for var, field in _VARIABLES.items() if source.get(var, "").strip()
    }
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        field = str(first["loc"][0]) if first["loc"] else message.partition(":")[0]
        if not first["loc"]:  # a check across fields names its field first
            message = message.partition(": ")[2]
        variable = _FIELDS.get(field, field)
        raise ConfigError(f"{variable}: {message}") from None
