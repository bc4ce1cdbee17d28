"""The Slack side of `doctor`: the token, its scopes, the alerts channel, the mode's secret.

A handful of Web API calls, each tried once: auth.test (its `x-oauth-scopes` response
header lists what Slack granted the token), conversations.info for the alerts channel,
and apps.connections.open for an app-level token in Socket Mode.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.config import Settings
from bot.doctor.checks import Check, check_prometheus
from bot.domain.plan import Plan
from bot.slack.client import MeteredWebClient, Observer
from bot.slack.manifest import BOT_SCOPES

__all__ = ["outside_checks", "slack_checks"]

_REINSTALL = "add them to the app (`capacity-bot manifest`) and reinstall it to the workspace"
_SIGNING_SECRET = re.compile(r"^[0-9a-f]{32}$")


def _client(token: str, settings: Settings, observe: Observer | None) -> AsyncWebClient:
    return MeteredWebClient(
        token=token, base_url=settings.api_url, timeout=10, retry_handlers=[], observe=observe
    )


def _error(exc: Exception) -> tuple[str, bool]:
    """(Slack's error code or what went wrong, whether Slack answered at all)."""
    if isinstance(exc, SlackApiError):
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        status = exc.response.status_code
        answered = status < 500 and status != 429
        return str(data.get("error") or f"HTTP {status}"), answered
    return type(exc).__name__, False


def _unreachable(name: str, settings: Settings, what: str) -> Check:
    return Check(
        name,
        False,
        f"SLACK_API_URL: cannot reach Slack's Web API at {settings.api_url} ({what})",
        outside=True,
    )


def _scopes(response: Any) -> Check:
    header = response.headers.get("x-oauth-scopes") or response.headers.get("X-OAuth-Scopes")
    if header is None:
        return Check(
            "scopes", False, "Slack sent no x-oauth-scopes header to compare", outside=True
        )
    granted = {s.strip() for s in str(header).split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in granted]
    if missing:
        return Check(
            "scopes",
            False,
            f"SLACK_BOT_TOKEN lacks the scope(s) {', '.join(missing)}: {_REINSTALL}",
            outside=True,
        )
    return Check("scopes", True, f"all {len(BOT_SCOPES)} the bot needs are granted", outside=True)


async def _token_and_scopes(
    settings: Settings, observe: Observer | None, auth: Any = None
) -> list[Check]:
    if settings.bot_token is None:
        fix = "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-) from Install App"
        return [
            Check("token", False, fix, outside=True),
            Check("scopes", False, "not checked without a token", outside=True),
        ]
    token = settings.bot_token.get_secret_value()
    if not token.startswith("xoxb-"):
        return [
            Check("token", False, "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
            Check("scopes", False, "not checked without a bot token", outside=True),
        ]
    try:
        response = auth if auth is not None else await _client(token, settings, observe).auth_test()
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        error, answered = _error(exc)
        token_check = (
            Check(
                "token",
                False,
                f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the current Bot User"
                " OAuth Token from the app's Install App page",
                outside=True,
            )
            if answered
            else _unreachable("token", settings, error)
        )
        return [token_check, Check("scopes", False, "not checked: auth.test failed", outside=True)]
    who = f"@{response.get('user')} in {response.get('team')}"
    return [Check("token", True, f"SLACK_BOT_TOKEN works: {who}", outside=True), _scopes(response)]


async def _channel(
    settings: Settings, observe: Observer | None, name: str, variable: str, channel: str
) -> Check:
    """One channel alerts post to: it exists, is not archived, and the bot is in it."""
    if settings.bot_token is None:
        return Check(name, False, "not checked without a token", outside=True)
    client = _client(settings.bot_token.get_secret_value(), settings, observe)
    where = f"{variable}={channel}"
    try:
        response = await client.conversations_info(channel=channel)
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        error, answered = _error(exc)
        if not answered:
            return _unreachable(name, settings, error)
        if error == "channel_not_found":
            fix = (
                f"{where}: no such channel visible to the bot; give the channel id (C...), not"
                " its name (a private channel: invite the bot first)"
            )
        elif error == "missing_scope":
            fix = f"{where}: not checked, the token lacks channels:read ({_REINSTALL})"
        else:
            fix = f"{where}: Slack answered {error}"
        return Check(name, False, fix, outside=True)
    info = response.get("channel") or {}
    shown = f"#{info.get('name', channel)}"
    if info.get("is_archived"):
        return Check(
            name,
            False,
            f"{where}: {shown} is archived; unarchive it or choose another channel",
            outside=True,
        )
    if not info.get("is_member"):
        return Check(
            name,
            False,
            f"{where}: the bot is not in {shown}; invite it there with `/invite @capacity-bot`",
            outside=True,
        )
    return Check(name, True, f"{where}: {shown}, the bot is a member", outside=True)


async def _alert_channels(settings: Settings, observe: Observer | None) -> list[Check]:
    """The alerts channel, and the p0 / p2 channels when they are set apart from it."""
    if not settings.alerts_channel:
        fix = (
            "CAPACITY_ALERTS_CHANNEL is not set: the channel id (C...) from the channel's"
            " details, at the bottom of the About tab"
        )
        return [Check("alerts channel", False, fix, outside=True)]
    checks = [
        await _channel(
            settings, observe, "alerts channel", "CAPACITY_ALERTS_CHANNEL", settings.alerts_channel
        )
    ]
    for severity in ("p0", "p2"):
        own = getattr(settings, f"alerts_channel_{severity}", None)
        if own and own != settings.alerts_channel:
            variable = f"CAPACITY_ALERTS_CHANNEL_{severity.upper()}"
            checks.append(await _channel(settings, observe, f"{severity} channel", variable, own))
    return checks


async def _mode(settings: Settings, observe: Observer | None) -> Check:
    if settings.app_token is not None:
        app = settings.app_token.get_secret_value()
        if not app.startswith("xapp-"):
            return Check(
                "mode", False, "SLACK_APP_TOKEN must be an app-level token starting with xapp-"
            )
        try:
            await _client(app, settings, observe).apps_connections_open(app_token=app)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            error, answered = _error(exc)
            if not answered:
                return _unreachable("mode", settings, error)
            return Check(
                "mode",
                False,
                f"SLACK_APP_TOKEN was refused by Slack ({error}): generate an app-level token"
                " with connections:write under Basic Information, and turn Socket Mode on",
                outside=True,
            )
        return Check("mode", True, "Socket Mode: SLACK_APP_TOKEN can connect", outside=True)
    if settings.signing_secret is None:
        return Check(
            "mode",
            False,
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information ->"
            " Signing Secret), or set SLACK_APP_TOKEN for Socket Mode",
        )
    if not _SIGNING_SECRET.match(settings.signing_secret.get_secret_value()):
        return Check(
            "mode",
            False,
            "SLACK_SIGNING_SECRET does not look like Slack's (32 hex characters): copy the"
            " Signing Secret from Basic Information, not a token",
        )
    return Check(
        "mode",
        True,
        f"HTTP mode: SLACK_SIGNING_SECRET set; Slack must reach PORT={settings.port}"
        " at /slack/events",
    )


async def slack_checks(
    settings: Settings, observe: Observer | None = None, *, auth: Any = None, mode: bool = True
) -> list[Check]:
    """token, scopes, the alert channels, and (with `mode`) the mode's secret, in order.

    `auth`: an auth.test response already at hand (serve's, from start-up), used instead
    of calling it again. A running bot leaves `mode` out: its connection is the proof.
    """
    checks = await _token_and_scopes(settings, observe, auth)
    checks += await _alert_channels(settings, observe)
    if mode:
        checks.append(await _mode(settings, observe))
    return checks


async def outside_checks(
    settings: Settings,
    plan: Plan | None,
    observe: Observer | None = None,
    *,
    auth: Any = None,
    mode: bool = True,
) -> list[Check]:
    """What lives outside the process: Slack and Prometheus. `/healthz` shows the last run
    of these (refreshed in the background, never per probe) beside its own report of the
    alert routes; `auth` and `mode` as for `slack_checks`."""
    checks = await slack_checks(settings, observe, auth=auth, mode=mode)
    checks.append(await check_prometheus(settings, plan))
    return checks
