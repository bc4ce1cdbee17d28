"""A PagerDuty-like Events API v2 receiver on 127.0.0.1 (aiohttp), strict about the schema.

It answers as PagerDuty documents: 202 with `dedup_key` for a valid event, 400 "invalid
event" with the errors for a bad one, and whatever `fail_next` queues (429, 5xx). It keeps
incidents by dedup key, so a test can check that a trigger and its resolve belong together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["ROUTING_KEY", "Incident", "PagerDutyReceiver"]

ROUTING_KEY = "r0ut1ngk3yr0ut1ngk3yr0ut1ngk3y32"  # 32 characters, like a real one
_SEVERITIES = {"critical", "error", "warning", "info"}
_ACTIONS = {"trigger", "acknowledge", "resolve"}


@dataclass
class Incident:
    dedup_key: str
    status: str  # triggered | resolved
    summary: str
    severity: str
    triggers: int = 1
    events: list[dict[str, Any]] = field(default_factory=list)


def validate(event: Any, routing_key: str) -> list[str]:
    """Events API v2's rules for the fields we use."""
    if not isinstance(event, dict):
        return ["event must be a JSON object"]
    errors = []
    key = event.get("routing_key")
    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-z]{32}", key):
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    elif key != routing_key:
        errors.append("'routing_key' is not a known integration key")
    action = event.get("event_action")
    if action not in _ACTIONS:
        errors.append("'event_action' is invalid (must be one of trigger, acknowledge, resolve)")
    dedup = event.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or not 0 < len(dedup) <= 255):
        errors.append("'dedup_key' must be a string of 1 to 255 characters")
    if action in ("acknowledge", "resolve") and not dedup:
        errors.append("'dedup_key' is required for acknowledge and resolve")
    if action == "trigger":
        payload = event.get("payload")
        if not isinstance(payload, dict):
            errors.append("'payload' is missing or not an object")
        else:
            summary = payload.get("summary")
            if not isinstance(summary, str) or not 0 < len(summary) <= 1024:
                errors.append("'payload.summary' must be 1 to 1024 characters")
            if not isinstance(payload.get("source"), str) or not payload["source"]:
                errors.append("'payload.source' is missing")
            if payload.get("severity") not in _SEVERITIES:
                errors.append("'payload.severity' must be critical, error, warning or info")
    return errors


class PagerDutyReceiver:
    def __init__(self, routing_key: str = ROUTING_KEY) -> None:
        self.routing_key = routing_key
        self.events: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.incidents: dict[str, Incident] = {}
        self._faults: list[tuple[int, str | None]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/enqueue"

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self._faults += [(status, retry_after)] * times

    async def __aenter__(self) -> PagerDutyReceiver:
        app = web.Application()
        app.router.add_post("/v2/enqueue", self._enqueue)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _enqueue(self, request: web.Request) -> web.Response:
        if self._faults:
            status, after = self._faults.pop(0)
            self.answers.append(status)
            headers = {"Retry-After": after} if after else {}
            return web.json_response({"status": "throttled"}, status=status, headers=headers)
        try:
            event = await request.json()
        except ValueError:
            self.answers.append(400)
            return web.json_response(
                {"status": "invalid event", "errors": ["not JSON"]}, status=400
            )
        errors = validate(event, self.routing_key)
        if errors:
            self.answers.append(400)
            body = {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": errors,
            }
            return web.json_response(body, status=400)
        self.events.append(event)
        self.answers.append(202)
        key = event.get("dedup_key") or f"generated-{len(self.events)}"
        found = self.incidents.get(key)
        if event["event_action"] == "trigger":
            payload = event["payload"]
            if found is None or found.status == "resolved":
                self.incidents[key] = found = Incident(
                    key, "triggered", payload["summary"], payload["severity"], 0
                )
            found.triggers += 1
            found.events.append(event)
        elif event["event_action"] == "resolve" and found is not None:
            found.status = "resolved"
            found.events.append(event)
        return web.json_response(
            {"status": "success", "message": "Event processed", "dedup_key": key}, status=202
        )
