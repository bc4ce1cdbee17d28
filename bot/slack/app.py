"""Builds and connects: the Slack client, the Bolt app, the aiohttp web app. No logic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.commands import Router
from bot.config import ConfigError, Settings
from bot.deps import Deps
from bot.doctor import Check
from bot.jobs.alerts import metrics_health, start_jobs
from bot.jobs.digest import start_digest
from bot.jobs.loop_lag import LagCollector, LoopLag
from bot.jobs.plan_reload import start_plan_jobs
from bot.notify.deliver import Worker
from bot.notify.health import delivery_health
from bot.notify.posters import route_posters
from bot.notify.retry_after import retry_after
from bot.notify.slack import SlackPoster
from bot.slack import guard
from bot.slack.client import MeteredWebClient, Observer
from bot.slack.front import build_front
from bot.slack.home import republish_home
from bot.slack.intake import Intake
from bot.slack.listeners import register_all
from bot.slack.listeners.errors import in_background
from bot.slack.middleware import client_middleware, request_scope
from bot.slack.probe import outside_checks
from bot.slack.rate_limit import RateLimitRetry
from bot.web.health import REFRESH_EVERY, HealthCache
from bot.web.ingest import make_metrics_routes
from bot.web.metrics import make_metrics_route

if TYPE_CHECKING:  # Socket Mode's handler is imported only when Socket Mode is used
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

__all__ = [
    "AsyncWebClient",
    "WebHooks",
    "build_app",
    "build_client",
    "build_socket_handler",
    "build_web_app",
    "default_hooks",
    "remember_auth_test",
    "verify_token",
]

# Bounded: a few quick retries, then the caller sees the error.
MAX_RETRIES = 2
# How long shutdown waits for an outbox request already sent to Slack.
OUTBOX_DRAIN = 5.0
# How long a statement on the event loop's thread waits for another process's write lock.
LOOP_WAIT = 0.5

AppCallback = Callable[[web.Application], Awaitable[None]]


def retry_handlers(max_retries: int = MAX_RETRIES) -> list[AsyncRetryHandler]:
    """Connection errors, 429 (honouring Retry-After) and 5xx: each retried at most twice."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitRetry(max_retry_count=max_retries),
        AsyncServerErrorRetryHandler(max_retry_count=max_retries),
    ]


def build_client(settings: Settings, observe: Observer | None = None) -> AsyncWebClient:
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    return MeteredWebClient(
        token=token, base_url=settings.api_url, retry_handlers=retry_handlers(), observe=observe
    )


async def verify_token(
    settings: Settings,
    *,
    attempts: int = 3,
    delay: float = 1.0,
    timeout: int = 10,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncSlackResponse:
    """Call auth.test once, at start-up: ConfigError naming the variable when Slack refuses
    the token, or when the Web API stays unreachable after `attempts` tries (a network
    error, 429 or 5xx is retried after `delay`, doubling; a Retry-After is honoured up to
    10 s). Its own client, without the sleeping retry handlers of `build_client`."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    client = AsyncWebClient(
        token=token, base_url=settings.api_url, timeout=timeout, retry_handlers=[]
    )
    reason = ""
    for attempt in range(attempts):
        wait = delay * 2**attempt
        try:
            return await client.auth_test()
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if status != 429 and status < 500:
                raise ConfigError(
                    f"SLACK_BOT_TOKEN was refused by Slack's auth.test ({error or status})"
                    f" at SLACK_API_URL={settings.api_url}"
                ) from None
            reason = f"HTTP {status}" + (f" {error}" if error else "")
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            wait = retry_after(str(after) if after else None, limit=10.0, default=wait) or 0.0
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if attempt < attempts - 1:
            await sleep(wait)
    raise ConfigError(
        f"SLACK_API_URL: cannot reach Slack's Web API at {settings.api_url}"
        f" after {attempts} tries ({reason[:200]})"
    )


def remember_auth_test(bolt_app: AsyncApp, result: AsyncSlackResponse) -> None:
    """Give Bolt the start-up auth.test answer, so its single-workspace authorization does
    not call auth.test on a request (it would, through the retrying client, until one
    succeeded: a slash command then stalls for seconds when Slack is slow to answer)."""
    found = False
    for middleware in getattr(bolt_app, "_async_middleware_list", []):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = result
            found = True
    if not found:  # a Bolt upgrade moved it: fail loudly, not slowly per request
        raise RuntimeError("Bolt's single-workspace authorization middleware not found")


def build_app(
    deps: Deps,
    client: AsyncWebClient | None = None,
    *,
    answer_in_ack: bool = True,
    process_before_response: bool = False,
    router: Router | None = None,
) -> AsyncApp:
    settings = deps.settings
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
    if not secret and not settings.socket_mode:
        # Bolt would fail inside its verification middleware on every request instead.
        raise ConfigError("SLACK_SIGNING_SECRET must be set to serve over HTTP")
    client = client or build_client(settings, deps.telemetry.api_call)
    # The token, not the client: given a client, Bolt still reads SLACK_BOT_TOKEN from the
    # environment itself and warns at every start that it is unused. Its own client then
    # takes our Web API URL and retries (its authorization falls back to auth.test through
    # it), and every listener gets `client` itself from the middleware.
    app = AsyncApp(
        token=client.token,
        signing_secret=secret,
        # bot/slack/intake.py verifies the raw bytes before anything parses them.
        request_verification_enabled=False,
        process_before_response=process_before_response,
        logger=logging.getLogger("capacity_bot.bolt"),
    )
    guard.register(app, settings.api_url)
    app.client.base_url = client.base_url
    app.client.retry_handlers = client.retry_handlers
    app.use(client_middleware(client))
    front = build_front(deps, answer_in_ack=answer_in_ack, router=router)
    register_all(app, front)

    def after_reload() -> None:
        # Home shows the new plan without being opened again: after the swap (and the
        # ack of `/capacity plan reload`), waited for at shutdown like any work after an ack.
        in_background(republish_home(client, front), {"event": {"type": "plan_reload"}}, None)

    deps.after_reload.append(after_reload)
    return app


def build_socket_handler(
    bolt_app: AsyncApp, deps: Deps, client: AsyncWebClient
) -> AsyncSocketModeHandler:
    """Socket Mode; call inside the running loop. apps.connections.open goes via `client`."""
    from bot.slack.socket_mode import ObservedSocketModeHandler

    assert deps.settings.app_token is not None
    return ObservedSocketModeHandler(
        bolt_app,
        deps.settings.app_token.get_secret_value(),
        web_client=client,
        telemetry=deps.telemetry,
    )


@dataclass
class WebHooks:
    """What other modules add to the web app: routes, background tasks, health checks.

    `on_startup`/`on_cleanup` run with the aiohttp app (start a scheduler, an outbox worker);
    `checks` are named callables that /healthz reports and that must all be true for 200.
    """

    routes: list[web.AbstractRouteDef] = field(default_factory=list)
    on_startup: list[AppCallback] = field(default_factory=list)
    on_cleanup: list[AppCallback] = field(default_factory=list)
    # Health checks and details go to `deps.registry` (bot.registry).
    # The outside checks /healthz reports; serve seeds it with its start-up auth.test.
    health: HealthCache | None = None


def default_hooks(deps: Deps, client: AsyncWebClient) -> WebHooks:
    """What the served app runs beside Slack: metric ingestion, and the scheduler with
    rule evaluation, the outbox worker, rollups, the Prometheus poller, the digest and the
    plan file's poll."""
    # Notifications own their retries (the outbox worker), so their client has none.
    poster = SlackPoster(
        MeteredWebClient(
            token=client.token or "",
            base_url=deps.settings.api_url,
            timeout=10,
            retry_handlers=[],
            observe=deps.telemetry.api_call,
        )
    )
    scheduler = AsyncIOScheduler(timezone=deps.settings.zone)
    background: set[asyncio.Task[Any]] = set()
    workers: list[Worker] = []
    lag = LoopLag()
    deps.telemetry.add_collector("loop_lag", LagCollector(lag))

    async def outside(auth: Any) -> list[Check]:
        # A running bot's connection proves its mode: no apps.connections.open every 5 min.
        return await outside_checks(
            deps.settings, deps.plan, deps.telemetry.api_call, auth=auth, mode=False
        )

    health = HealthCache(deps, outside)

    async def start(web_app: web.Application) -> None:
        # On the loop's thread: whatever still writes there never waits long on a lock.
        deps.store.wait_at_most(LOOP_WAIT)
        lag.start()
        routes = route_posters(deps.settings)
        workers.append(start_jobs(deps, poster, scheduler, routes=routes))
        start_plan_jobs(deps, scheduler)
        missed = start_digest(deps, poster, scheduler)
        scheduler.add_job(
            health.refresh,
            "interval",
            seconds=REFRESH_EVERY,
            id="health.refresh",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        scheduler.start()
        for work in (missed(), health.refresh()):
            task = asyncio.ensure_future(work)
            background.add(task)
            task.add_done_callback(background.discard)

    async def stop(web_app: web.Application) -> None:
        if scheduler.running:
            scheduler.pause()  # no new runs; then let a delivery in flight finish
            for worker in workers:
                await worker.drain(timeout=OUTBOX_DRAIN)
            scheduler.shutdown(wait=False)
        for task in list(background):
            task.cancel()
        await lag.stop()

    deps.registry.add_check("scheduler", lambda: scheduler.running)
    deps.registry.add_detail("metrics", lambda: metrics_health(deps))
    deps.registry.add_detail(
        "alerts", lambda: delivery_health(deps.plan, deps.settings, deps.store)
    )
    deps.registry.add_detail("outside", health.detail)
    deps.registry.add_detail("loop", lag.health)
    return WebHooks(
        routes=list(make_metrics_routes(deps)),
        on_startup=[start],
        on_cleanup=[stop],
        health=health,
    )


def build_web_app(
    deps: Deps, bolt_app: AsyncApp | None, hooks: WebHooks | None = None, *, mode: str = "http"
) -> web.Application:
    """`POST /slack/events` (when `bolt_app` is given), `GET /healthz`, and the hooks' routes."""
    hooks = hooks or WebHooks()
    web_app = web.Application()

    registry = deps.registry
    registry.checks = {"store": lambda: deps.store.healthy(), **registry.checks}

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
    web_app.add_routes(hooks.routes)
    web_app.on_startup.extend(hooks.on_startup)
    web_app.on_cleanup.extend(hooks.on_cleanup)
    return web_app
