"""What the Slack listeners are handed: the shared Deps, the router and its answer cache.

Bolt gives it to every listener as the argument `front` (a middleware puts it in the
request's context; see `bot.slack.listeners.register_all`), so the callbacks can live at
module level and a test can call one with a Front of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Router, build_router
from bot.context import Context
from bot.deps import Deps
from bot.slack.answers import Answers

__all__ = ["Front", "build_front"]


@dataclass
class Front:
    deps: Deps
    answers: Answers
    # False: ack empty and answer through response_url (measured in bench/).
    answer_in_ack: bool = True

    @property
    def router(self) -> Router:
        return self.answers.router

    def context(self, user_id: str | None = None, channel_id: str | None = None) -> Context:
        return self.deps.context(user_id, channel_id)


def build_front(deps: Deps, *, answer_in_ack: bool = True, router: Router | None = None) -> Front:
    return Front(deps, Answers(router or build_router()), answer_in_ack=answer_in_ack)
