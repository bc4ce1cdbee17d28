"""The checks of `capacity-bot doctor` and of `/healthz`: one line each, ok or the fix.

`bot.app.doctor` runs them all (it reaches the Slack edge, so it is not imported here).
"""

from bot.doctor.checks import Check

__all__ = ["Check"]
