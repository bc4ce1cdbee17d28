"""The posters of the routes the environment configures, beside Slack's (built by the app)."""

from __future__ import annotations

import ssl

from bot.core.config import Settings
from bot.notify.email import EmailPoster
from bot.notify.pagerduty import PagerDutyPoster
from bot.notify.poster import Poster

__all__ = ["route_posters"]


def route_posters(settings: Settings, *, tls: ssl.SSLContext | None = None) -> dict[str, Poster]:
    """PagerDuty when CAPACITY_PAGERDUTY_ROUTING_KEY is set; email when CAPACITY_SMTP_URL is
    (config has checked that sender and recipients came with it). `tls` is a test seam."""
    posters: dict[str, Poster] = {}
    if settings.pagerduty_routing_key is not None:
        posters["pagerduty"] = PagerDutyPoster(
            settings.pagerduty_routing_key.get_secret_value(), settings.pagerduty_url
        )
    smtp = settings.smtp
    if smtp is not None and settings.email_from and settings.email_to:
        posters["email"] = EmailPoster(smtp, settings.email_from, settings.email_to, tls=tls)
    return posters
