"""`capacity-bot serve`: the Slack app. Built in the Slack app issue; refuses clearly until then."""

from __future__ import annotations

import sys

from bot.config import Settings

__all__ = ["serve"]


def serve(settings: Settings, port: int | None = None) -> int:
    settings.require_for_serve()
    print("capacity-bot: serve is not available in this build yet", file=sys.stderr)
    return 2
