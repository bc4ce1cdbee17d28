"""Builds the Slack side: the Web API client (bounded retries), the start-up auth.test, the
Bolt app with our listeners, and the Socket Mode handler. No logic; `bot.app` connects them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.commands import Router
from bot.core.config import ConfigError, Settings
from bot.deps import Deps
from bot.notify.retry_after import retry_after
from bot.slack import guard
from bot.slack.client import MeteredWebClient, Observer
from bot.slack.front import build_front
from bot.slack.home import republish_home
from bot.slack.listeners import register_all
from bot.slack.listeners.errors import in_background
from bot.slack.middleware import client_middleware
from bot.slack.rate_limit import RateLimitRetry

if TYPE_CHECKING:  # Socket Mode's handler is imported only when Socket Mode is used
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

__all__ = [
    "AsyncApp",
    "AsyncWebClient",
    "build_app",
    "build_client",
    "build_socket_handler",
    "remember_auth_test",
    "retry_handlers",
    "verify_token",
]

# Bounded: a few quick retries, then the caller sees the error.
MAX_RETRIES = 2


def retry_handlers(max_retries: int = MAX_RETRIES) -> list[AsyncRetryHandler]:
    """Connection errors, 429 (honouring Retry-After) and 5xx: each retried at most twice."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitRetry(max_retry_count=max_retries),
        AsyncServerErrorRetryHandler(max_retry_count=max_retries),
    ]


def build_client(settings: Settings, observe: Observer | None = None) -> AsyncWebClient:
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    return MeteredWebClient(
        token=token, base_url=settings.api_url, retry_handlers=retry_handlers(), observe=observe
    )


async def verify_token(
    settings: Settings,
    *,
    attempts: int = 3,
    delay: float = 1.0,
    timeout: int = 10,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncSlackResponse:
    """Call auth.test once, at start-up: ConfigError naming the variable when Slack refuses
    the token, or when the Web API stays unreachable after `attempts` tries (a network
    error, 429 or 5xx is retried after `delay`, doubling; a Retry-After is honoured up to
    10 s). Its own client, without the sleeping retry handlers of `build_client`."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    client = AsyncWebClient(
        token=token, base_url=settings.api_url, timeout=timeout, retry_handlers=[]
    )
    reason = ""
    for attempt in range(attempts):
        wait = delay * 2**attempt
        try:
            return await client.auth_test()
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if status != 429 and status < 500:
                raise ConfigError(
                    f"SLACK_BOT_TOKEN was refused by Slack's auth.test ({error or status})"
                    f" at SLACK_API_URL={settings.api_url}"
                ) from None
            reason = f"HTTP {status}" + (f" {error}" if error else "")
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            wait = retry_after(str(after) if after else None, limit=10.0, default=wait) or 0.0
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if attempt < attempts - 1:
            await sleep(wait)
    raise ConfigError(
        f"SLACK_API_URL: cannot reach Slack's Web API at {settings.api_url}"
        f" after {attempts} tries ({reason[:200]})"
    )


def remember_auth_test(bolt_app: AsyncApp, result: AsyncSlackResponse) -> None:
    """Give Bolt the start-up auth.test answer, so its single-workspace authorization does
    not call auth.test on a request (it would, through the retrying client, until one
    succeeded: a slash command then stalls for seconds when Slack is slow to answer)."""
    found = False
    for middleware in getattr(bolt_app, "_async_middleware_list", []):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = result
            found = True
    if not found:  # a Bolt upgrade moved it: fail loudly, not slowly per request
        raise RuntimeError("Bolt's single-workspace authorization middleware not found")


def build_app(
    deps: Deps,
    client: AsyncWebClient | None = None,
    *,
    answer_in_ack: bool = True,
    process_before_response: bool = False,
    router: Router | None = None,
) -> AsyncApp:
    settings = deps.settings
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
    if not secret and not settings.socket_mode:
        # Bolt would fail inside its verification middleware on every request instead.
        raise ConfigError("SLACK_SIGNING_SECRET must be set to serve over HTTP")
    client = client or build_client(settings, deps.telemetry.api_call)
    # The token, not the client: given a client, Bolt still reads SLACK_BOT_TOKEN from the
    # environment itself and warns at every start that it is unused. Its own client then
    # takes our Web API URL and retries (its authorization falls back to auth.test through
    # it), and every listener gets `client` itself from the middleware.
    app = AsyncApp(
        token=client.token,
        signing_secret=secret,
        # bot/slack/intake.py verifies the raw bytes before anything parses them.
        request_verification_enabled=False,
        process_before_response=process_before_response,
        logger=logging.getLogger("capacity_bot.bolt"),
    )
    guard.register(app, settings.api_url)
    app.client.base_url = client.base_url
    app.client.retry_handlers = client.retry_handlers
    app.use(client_middleware(client))
    front = build_front(deps, answer_in_ack=answer_in_ack, router=router)
    register_all(app, front)
    deps.registry.idle.append(front.answers.clear)

    def after_reload() -> None:
        # Home shows the new plan without being opened again: after the swap (and the
        # ack of `/capacity plan reload`), waited for at shutdown like any work after an ack.
        in_background(republish_home(client, front), {"event": {"type": "plan_reload"}}, None)

    deps.after_reload.append(after_reload)
    return app


def build_socket_handler(
    bolt_app: AsyncApp, deps: Deps, client: AsyncWebClient
) -> AsyncSocketModeHandler:
    """Socket Mode; call inside the running loop. apps.connections.open goes via `client`."""
    from bot.slack.socket_mode import ObservedSocketModeHandler

    assert deps.settings.app_token is not None
    return ObservedSocketModeHandler(
        bolt_app,
        deps.settings.app_token.get_secret_value(),
        web_client=client,
        telemetry=deps.telemetry,
    )
