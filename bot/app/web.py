"""The served aiohttp app: `POST /slack/events` through the intake, `GET /healthz`,
`GET /metrics`, and the routes and background work the hooks add."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.core.registry import Registry
from bot.deps import Deps
from bot.jobs.trim import IdleTrim, malloc_trim
from bot.slack.app import AsyncApp
from bot.slack.intake import Intake
from bot.slack.middleware import request_scope
from bot.web.health import HealthCache
from bot.web.metrics import make_metrics_route

__all__ = [
    "AppCallback",
    "WebHooks",
    "build_web_app",
    "database_health",
    "evaluation_health",
    "idle_trim",
    "release",
]

AppCallback = Callable[[web.Application], Awaitable[None]]


@dataclass
class WebHooks:
    """What other modules add to the web app: routes, background tasks, health checks.

    `on_startup`/`on_cleanup` run with the aiohttp app (start a scheduler, an outbox worker);
    `checks` are named callables that /healthz reports and that must all be true for 200.
    """

    routes: list[web.AbstractRouteDef] = field(default_factory=list)
    on_startup: list[AppCallback] = field(default_factory=list)
    on_cleanup: list[AppCallback] = field(default_factory=list)
    # Health checks and details go to `deps.registry` (bot.core.registry).
    # The outside checks /healthz reports; serve seeds it with its start-up auth.test.
    health: HealthCache | None = None


def database_health(deps: Deps) -> dict[str, Any]:
    """/healthz's word on the file: the one at CAPACITY_DB and taking writes (our words only:
    the endpoint is unauthenticated, so no path and no error text)."""
    vitals = deps.store.vitals
    problems = [p for p in (vitals.file_problem(), vitals.write_problem()) if p]
    return {"ok": not problems, **({"problems": problems} if problems else {})}


def evaluation_health(deps: Deps) -> dict[str, Any]:
    """Whether the last rule evaluation succeeded (before the first: ok, not run yet)."""
    vitals = deps.store.vitals
    last = vitals.last_evaluation
    ok_at = vitals.last_evaluation_ok_at
    body: dict[str, Any] = {
        "ok": last is None or last.ok,
        "last_ok_at": ok_at.isoformat() if ok_at else None,
    }
    if last is not None and not last.ok:
        body.update(failed_at=last.at.isoformat(), error=last.error)
    return body


# How often the intake's memories drop keys past their ttl: an idle bot keeps none.
PRUNE_EVERY = 60.0


def release(registry: Registry) -> bool:
    """What the idle job does once a burst is over: the registry's idle hooks drop what
    only speeds requests (the kept answers), then a collection and glibc's malloc_trim
    (False where there is no glibc)."""
    for drop in registry.idle:
        drop()
    return malloc_trim()


def idle_trim(intake: Intake, registry: Registry) -> IdleTrim:
    """Memory back to the allocator once a burst is over: quiet for the replay memory's
    ttl, so the prune before it has just dropped the burst's keys."""
    return IdleTrim(
        lambda: intake.replays.added, quiet=intake.replays.ttl, trim=lambda: release(registry)
    )


def _pruning(intake: Intake, registry: Registry) -> Callable[[web.Application], Any]:
    async def prune_while_served(web_app: web.Application) -> AsyncIterator[None]:
        trim = idle_trim(intake, registry)

        async def loop() -> None:
            while True:
                await asyncio.sleep(PRUNE_EVERY)
                intake.replays.prune()
                intake.events.prune()
                trim.tick()

        task = asyncio.ensure_future(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return prune_while_served


def build_web_app(
    deps: Deps, bolt_app: AsyncApp | None, hooks: WebHooks | None = None, *, mode: str = "http"
) -> web.Application:
    """`POST /slack/events` (when `bolt_app` is given), `GET /healthz`, and the hooks' routes."""
    hooks = hooks or WebHooks()
    web_app = web.Application()

    registry = deps.registry
    registry.checks = {"store": lambda: deps.store.healthy(), **registry.checks}
    registry.add_detail("database", lambda: database_health(deps))
    registry.add_detail("evaluation", lambda: evaluation_health(deps))

    async def healthz(request: web.Request) -> web.Response:
        ok, body = registry.health(mode)
        return web.json_response(body, status=200 if ok else 503)

    web_app.router.add_get("/healthz", healthz)
    web_app.add_routes(make_metrics_route(deps))
    if bolt_app is not None:
        secret = deps.settings.signing_secret
        intake = Intake(
            bolt_app,
            secret.get_secret_value() if secret else "",
            scope=lambda body: request_scope(deps.telemetry, body),
            on_refuse=deps.telemetry.intake_refused,
        )
        web_app.router.add_post("/slack/events", intake.handle)
        web_app.cleanup_ctx.append(_pruning(intake, registry))
    web_app.add_routes(hooks.routes)
    web_app.on_startup.extend(hooks.on_startup)
    web_app.on_cleanup.extend(hooks.on_cleanup)
    return web_app
