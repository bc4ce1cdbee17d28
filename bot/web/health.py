"""What `/healthz` says about the world outside the process, refreshed in the background.

`/healthz` is probed every few seconds by orchestrators; it must never call Slack. The
outside checks of `doctor` (token, scopes, alerts channel, alert routes, Prometheus) run
here instead: once at start (reusing serve's start-up auth.test) and then every
REFRESH_EVERY. A failing one makes the bot `degraded` (still 200): only a store or a
scheduler that is down is a 503, so nobody restarts the bot because Slack is unreachable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.doctor import Check

if TYPE_CHECKING:
    from bot.deps import Deps

# The outside checks, given serve's start-up auth.test response (or None): the wiring
# passes `bot.slack.probe.outside_checks` bound to the settings.
OutsideChecks = Callable[[Any], Awaitable[list[Check]]]

__all__ = ["REFRESH_EVERY", "HealthCache", "OutsideChecks"]

log = logging.getLogger(__name__)

REFRESH_EVERY = 300  # seconds


class HealthCache:
    def __init__(self, deps: Deps, checks: OutsideChecks) -> None:
        self.deps = deps
        self.run_checks = checks
        self.checks: list[Check] = []
        self.checked_at: datetime | None = None
        # serve's start-up auth.test, used by the first refresh instead of a second call.
        self.auth: Any = None

    async def refresh(self) -> None:
        auth, self.auth = self.auth, None
        try:
            checks = await self.run_checks(auth)
        except Exception:
            log.exception("health checks failed")
            return
        # Said once when it starts failing and once when it recovers, not every 5 minutes.
        failing = {c.name for c in self.checks if not c.ok}
        for check in checks:
            if not check.ok and check not in self.checks:
                log.warning("health: %s: %s", check.name, check.detail)
            elif check.ok and check.name in failing:
                log.info("health: %s: ok again", check.name)
        self.checks = checks
        self.checked_at = self.deps.clock()

    def detail(self) -> dict[str, Any]:
        """For /healthz: ok, when checked, and the fix of each failing check (no secrets:
        the details name variables, channel ids and Slack's error codes only)."""
        failing = {c.name: c.detail for c in self.checks if not c.ok}
        return {
            "ok": not failing,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "failing": failing,
        }
