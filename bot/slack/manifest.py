"""The Slack app manifest, built from one place: `capacity-bot manifest [--url https://HOST]`.

Without a URL the app uses Socket Mode (no public address needed); with one, HTTP mode
with the slash command, interactivity and events all at HOST/slack/events, the route
`bot.app.web.build_web_app` serves. `manifest.yml` in the repository is the Socket Mode
output (a test keeps them equal): regenerate it with `capacity-bot manifest > manifest.yml`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

__all__ = [
    "BOT_EVENTS",
    "BOT_SCOPES",
    "EVENTS_PATH",
    "SLASH_COMMAND",
    "ManifestError",
    "build_manifest",
    "render_manifest",
    "usage_hint",
]

SLASH_COMMAND = "/capacity"
EVENTS_PATH = "/slack/events"
# What the code uses, and nothing more (tests/test_manifest.py reads the code to check).
# Add a scope here when the bot starts calling a Web API method that needs it; `doctor`
# compares these with what Slack granted the installed token.
BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "files:write",
    # `doctor` and /healthz check the alerts channel (conversations.info), public or private.
    "channels:read",
    "groups:read",
    # After a crash or a timeout the outbox reads the alerts channel's recent messages
    # (conversations.history / .replies) to see whether a post got there.
    "channels:history",
    "groups:history",
)
BOT_EVENTS: tuple[str, ...] = ("app_home_opened",)

_DESCRIPTION = "Ask the capacity plan: tiers, cost, sizing, triggers, change log, metrics"
_LONG = (
    "capacity-bot answers questions about your team's capacity plan: growth tiers and what"
    " they cost, cost per user, break-even, compute, connection and storage sizing,"
    " performance targets, scaling triggers and disaster runbooks. Ask with /capacity; the"
    " Home tab shows where you stand against the budget and what triggers the next tier."
)


class ManifestError(ValueError):
    """A --url Slack would not accept."""


def usage_hint(words: Sequence[str]) -> str:
    """The bare command words: short enough to read in Slack's command autocomplete."""
    return " | ".join(words)


def events_url(url: str) -> str:
    """HOST/slack/events from `https://HOST` (a path prefix is kept, the route not doubled)."""
    url = url.strip().rstrip("/")
    if not re.match(r"^https://[^/\s]+", url):
        raise ManifestError(f"--url must be the https:// address Slack can reach, not {url!r}")
    return url.removesuffix(EVENTS_PATH) + EVENTS_PATH


def build_manifest(words: Sequence[str], url: str | None = None) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode when `url` is None, else HTTP mode at `url`."""
    endpoint = events_url(url) if url is not None else None
    command: dict[str, Any] = {"command": SLASH_COMMAND}
    if endpoint:
        command["url"] = endpoint
    command.update(description=_DESCRIPTION, usage_hint=usage_hint(words), should_escape=False)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if endpoint:
        events = {"request_url": endpoint, **events}
        interactivity["request_url"] = endpoint
    return {
        "display_information": {
            "name": "capacity-bot",
            "description": "Your capacity plan, live in Slack.",
            "long_description": _LONG,
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                # Change-log confirmations fall back to a DM; nobody is invited to write.
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "capacity-bot", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": endpoint is None,
            "token_rotation_enabled": False,
        },
    }


_SOCKET_HEADER = """\
# capacity-bot's Slack app manifest, Socket Mode (from `capacity-bot manifest`).
# https://api.slack.com/apps -> Create New App -> From an app manifest -> paste this.
# Then: Basic Information -> App-Level Tokens -> generate one with connections:write
# (SLACK_APP_TOKEN); Install App -> Bot User OAuth Token (SLACK_BOT_TOKEN).
# HTTP mode instead: `capacity-bot manifest --url https://YOUR-HOST`.
"""
_HTTP_HEADER = """\
# capacity-bot's Slack app manifest, HTTP mode at {url}
# (from `capacity-bot manifest --url ...`).
# https://api.slack.com/apps -> Create New App -> From an app manifest -> paste this.
# Then: Basic Information -> Signing Secret (SLACK_SIGNING_SECRET);
# Install App -> Bot User OAuth Token (SLACK_BOT_TOKEN).
"""


def render_manifest(words: Sequence[str], url: str | None = None) -> str:
    """The manifest as YAML with a header saying where to paste it and which tokens to copy."""
    manifest = build_manifest(words, url)
    header = _SOCKET_HEADER if url is None else _HTTP_HEADER.format(url=events_url(url))
    body = yaml.safe_dump(manifest, sort_keys=False, width=1000, allow_unicode=True)
    return header + body
