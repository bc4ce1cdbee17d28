"""What a Slack request may make the bot do, checked before any listener runs (HTTP and
Socket Mode alike): a `response_url` is used only when it is Slack's."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.memo import LogBudget

__all__ = [
    "DEFAULT_API_URL",
    "ResponseUrlGuard",
    "register",
    "response_url_allowed",
    "response_urls",
]

log = logging.getLogger("capacity_bot.intake")

DEFAULT_API_URL = "https://slack.com/api/"


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        return None
    scheme = parts.scheme.lower()
    return scheme, host, port or (443 if scheme == "https" else 80)


# The API URL is one setting: parsed once, not on every request.
_api_origin = functools.lru_cache(maxsize=8)(_origin)


def response_url_allowed(url: str, api_url: str = DEFAULT_API_URL) -> bool:
    """Slack's hooks host over https (`hooks.slack.com`, or `hooks.` on the domain of
    SLACK_API_URL, as GovSlack has it), or exactly the scheme, host and port of an
    overridden SLACK_API_URL (tests, proxies). Nothing else: the URL is posted to."""
    if not isinstance(url, str) or len(url) > 2000:
        return False
    target = _origin(url)
    api = _api_origin(api_url)
    if target is None or api is None:
        return False
    domain = api[1].removeprefix("api.")
    if target == ("https", f"hooks.{domain}", 443):
        return True
    return api_url != DEFAULT_API_URL and target == api


def response_urls(body: dict[str, Any]) -> list[Any]:
    """Every response URL a payload names (a form may carry several in `response_urls`)."""
    found: list[Any] = []
    if "response_url" in body:
        found.append(body["response_url"])
    listed = body.get("response_urls")
    if listed is not None and not isinstance(listed, list):
        found.append(listed)  # not what Slack sends: refused below
    for item in listed if isinstance(listed, list) else []:
        found.append(item.get("response_url") if isinstance(item, dict) else item)
    return found


class ResponseUrlGuard(AsyncMiddleware):
    """Refuses (400) a request whose response_url is not Slack's. A middleware class: Bolt
    calls it as it is, where a function middleware first has every listener argument
    built for it, on every request (docs/PERFORMANCE.md)."""

    def __init__(self, api_url: str, budget: LogBudget) -> None:
        self.api_url, self.budget = api_url, budget

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body or {}
        bad = [u for u in response_urls(body) if not response_url_allowed(u, self.api_url)]
        if bad:
            origin = _origin(bad[0]) if isinstance(bad[0], str) else None
            host = origin[1][:80] if origin else "?"
            self.budget.warning(f"slack request refused: response_url not Slack's (host {host})")
            return BoltResponse(
                status=400,
                body='{"ok":false,"error":"response_url is not a Slack hooks URL"}',
                headers={"content-type": "application/json"},
            )
        return await next()


def register(app: AsyncApp, api_url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
    app.middleware(ResponseUrlGuard(api_url, LogBudget(log, clock)))
