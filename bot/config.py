"""Settings from the environment. The only module that reads it (pass `environ` in tests)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

__all__ = ["ConfigError", "Settings", "load_settings"]

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
    "CAPACITY_RAW_RETENTION_DAYS": "raw_retention_days",
    "PORT": "port",
    "LOG_LEVEL": "log_level",
    "LOG_FORMAT": "log_format",
}
_FIELDS = {field: variable for variable, field in _VARIABLES.items()}


class ConfigError(Exception):
    """One clear line naming the variable that is wrong."""


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
    raw_retention_days: int = Field(default=30, ge=1, le=3650)
    port: int = Field(default=3000, ge=1, le=65535)
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
        if len(value.split()) != 5:
            raise ValueError("must be a 5-field crontab such as '0 9 * * mon'")
        from apscheduler.triggers.cron import CronTrigger  # the parser the scheduler uses

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a valid crontab ({exc}); e.g. '0 9 * * mon'"
            ) from None
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
        variable = _FIELDS.get(str(first["loc"][0]), str(first["loc"][0]))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}") from None
