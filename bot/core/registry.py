"""One place where parts say how they are doing: `/healthz`'s checks and details, and the
app's metrics (`telemetry`, served at `/metrics`). A part registers at start-up (the
scheduler its running state, the outbox its backlog, the outside checks their cache, the
answer cache what to drop when the bot is idle);
nothing reports on its own. Request log context is `bot.core.logs.log_context`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.telemetry import Telemetry

__all__ = ["Registry"]

log = logging.getLogger(__name__)


@dataclass
class Registry:
    # Must all be true for /healthz to answer 200 (the store, the scheduler).
    checks: dict[str, Callable[[], bool]] = field(default_factory=dict)
    # Reported in /healthz but not deciding it; a detail with "ok": false makes the status
    # "degraded", still a 200 (a Prometheus that is down, an undeliverable route).
    details: dict[str, Callable[[], Any]] = field(default_factory=dict)
    # What to let go of once the bot is idle after a burst (bot/jobs/trim.py: IdleTrim),
    # before the allocator is asked for its free pages: memories that only speed requests.
    idle: list[Callable[[], object]] = field(default_factory=list, repr=False)
    _telemetry: Telemetry | None = field(default=None, repr=False)

    def add_check(self, name: str, check: Callable[[], bool]) -> None:
        self.checks[name] = check

    def add_detail(self, name: str, detail: Callable[[], Any]) -> None:
        self.details[name] = detail

    @property
    def telemetry(self) -> Telemetry:
        """The app's own metrics (GET /metrics); made on first use, one per registry, so
        `ask` and `shell` never import prometheus-client."""
        if self._telemetry is None:
            self._telemetry = Telemetry()
        return self._telemetry

    def health(self, mode: str) -> tuple[bool, dict[str, Any]]:
        """Whether every check passes, and the body /healthz shows. Never raises: a check
        that fails counts as false, a detail that fails shows its error's type."""
        checks: dict[str, bool] = {}
        for name, check in self.checks.items():
            try:
                checks[name] = bool(check())
            except Exception:
                log.exception("health check %s failed", name)
                checks[name] = False
        ok = all(checks.values())
        body: dict[str, Any] = {"status": "ok" if ok else "unhealthy", **checks, "mode": mode}
        for name, detail in self.details.items():
            try:
                body[name] = detail()
            except Exception as exc:  # a detail must never turn health into a 500
                body[name] = {"ok": False, "error": type(exc).__name__}
        degraded = [k for k, v in body.items() if isinstance(v, dict) and v.get("ok") is False]
        if ok and degraded:
            body["status"] = "degraded"
            body["degraded"] = degraded
        return ok, body
