"""The Slack Web API client every part of the bot uses, counting calls and errors by method."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

__all__ = ["MeteredWebClient", "Observer"]

# (method, error or None), e.g. Telemetry.api_call.
Observer = Callable[[str, str | None], None]


class MeteredWebClient(AsyncWebClient):
    """An AsyncWebClient that reports each call: every `chat_postMessage` and friends funnels
    through `api_call` (retries included, so a retried call counts once)."""

    def __init__(self, *args: Any, observe: Observer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observe = observe

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            if self.observe:
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                self.observe(api_method, str(data.get("error") or exc.response.status_code))
            raise
        except Exception as exc:
            if self.observe:
                self.observe(api_method, type(exc).__name__)
            raise
        if self.observe:
            self.observe(api_method, None)
        return response
