"""The fake Slack as a fixture, and an outbox worker that posts to it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest

from bot.deps import Deps
from bot.notify.deliver import Worker
from bot.notify.posters import route_posters
from bot.notify.slack import SlackPoster, make_client
from tests.fakeslack import FakeSlack

__all__ = ["slack", "worker_for"]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack on 127.0.0.1 with the default workspace, stopped after the test."""
    async with FakeSlack() as fake:
        yield fake


def worker_for(
    deps: Deps,
    slack: FakeSlack,
    *,
    routes: bool = False,
    tls: ssl.SSLContext | None = None,
    base_delay: float = 0.05,
) -> Worker:
    """The outbox worker posting to `slack`; with `routes`, also the routes `deps.settings`
    configures (PagerDuty, email; `tls` trusts a test certificate)."""
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    others = route_posters(deps.settings, tls=tls) if routes else None
    return Worker(deps.store, poster, deps.clock, routes=others, base_delay=base_delay)
