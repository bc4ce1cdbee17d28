"""What the Slack listeners are handed: the shared Deps, the router and its answer cache.

Bolt gives it to every listener as the argument `front` (a middleware puts it in the
request's context; see `bot.slack.listeners.register_all`), so the callbacks can live at
module level and a test can call one with a Front of its own.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.commands import Router, build_router
from bot.context import Context
from bot.deps import Deps
from bot.slack.answers import Answers

__all__ = ["HOME_REPUBLISH_LIMIT", "HOME_REPUBLISH_WINDOW", "Front", "HomeViewers", "build_front"]

HOME_REPUBLISH_LIMIT = 100
HOME_REPUBLISH_WINDOW = timedelta(days=7)


class HomeViewers:
    """Who opened Home, most recent last; never more than `limit` people."""

    def __init__(
        self, limit: int = HOME_REPUBLISH_LIMIT, window: timedelta = HOME_REPUBLISH_WINDOW
    ) -> None:
        self.limit = limit
        self.window = window
        self._seen: OrderedDict[str, datetime] = OrderedDict()

    def opened(self, user: str, now: datetime) -> None:
        self._seen[user] = now
        self._seen.move_to_end(user)
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def recent(self, now: datetime) -> list[str]:
        """Who opened Home within the window, most recent first."""
        since = now - self.window
        return [user for user, at in reversed(self._seen.items()) if at >= since]


@dataclass
class Front:
    deps: Deps
    answers: Answers
    # False: ack empty and answer through response_url (measured in bench/).
    answer_in_ack: bool = True
    # Who opened Home lately: republished after a plan reload (bot.slack.home).
    home_viewers: HomeViewers = field(default_factory=HomeViewers)

    @property
    def router(self) -> Router:
        return self.answers.router

    def context(self, user_id: str | None = None, channel_id: str | None = None) -> Context:
        return self.deps.context(user_id, channel_id)


def build_front(deps: Deps, *, answer_in_ack: bool = True, router: Router | None = None) -> Front:
    return Front(deps, Answers(router or build_router()), answer_in_ack=answer_in_ack)
