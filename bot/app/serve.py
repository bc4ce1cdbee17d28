"""`capacity-bot serve`: run the Slack app until SIGTERM/SIGINT, then stop cleanly (exit 0).

HTTP mode serves `POST /slack/events` and `GET /healthz` on PORT. Socket Mode (when
SLACK_APP_TOKEN is set) connects out to Slack and still serves `/healthz` on PORT.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from bot.app.hooks import default_hooks
from bot.app.web import build_web_app
from bot.commands import Router
from bot.core import logs, logsafe
from bot.core.config import Settings
from bot.deps import Deps, build_deps, utc_now
from bot.domain.checks import plan_warnings
from bot.jobs.plan_reload import on_sighup
from bot.jobs.trim import limit_malloc_arenas
from bot.slack.app import (
    AsyncWebClient,
    build_app,
    build_client,
    build_socket_handler,
    remember_auth_test,
    verify_token,
)
from bot.slack.listeners.errors import drain_background

if TYPE_CHECKING:
    from bot.slack.app import AsyncSocketModeHandler

__all__ = ["BotServer", "configure_logging", "serve"]

log = logging.getLogger("capacity_bot")

# How long in-flight requests get to finish once shutdown starts.
SHUTDOWN_GRACE = 10.0
# How long work started after an ack (Share posts, uploads, Home publishes) gets then.
BACKGROUND_GRACE = 5.0


class BotServer:
    """The running bot: web app on host:port, plus the Socket Mode connection if configured."""

    def __init__(
        self,
        deps: Deps,
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        client: AsyncWebClient | None = None,
        answer_in_ack: bool = True,
        router: Router | None = None,
        # Measured (docs/PERFORMANCE.md): our listeners ack at once and hand slow work to
        # tasks, so answering without Bolt's 10 ms ack polling is ~13x faster at p50.
        process_before_response: bool = True,
    ) -> None:
        self.deps = deps
        self.host = host
        self.port = port
        self.client = client or build_client(deps.settings, deps.telemetry.api_call)
        self.bolt_app = build_app(
            deps,
            self.client,
            answer_in_ack=answer_in_ack,
            router=router,
            process_before_response=process_before_response,
        )
        self.mode = "socket" if deps.settings.socket_mode else "http"
        self.hooks = default_hooks(deps, self.client)
        self.web_app = build_web_app(
            deps, None if self.mode == "socket" else self.bolt_app, self.hooks, mode=self.mode
        )
        self._runner: web.AppRunner | None = None
        self.socket: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        # Once, before serving: a refused token or unreachable Slack stops here with one
        # line (ConfigError), and no request waits for auth.test later.
        auth = await verify_token(self.deps.settings)
        remember_auth_test(self.bolt_app, auth)
        if self.hooks.health is not None:
            self.hooks.health.auth = auth  # its first refresh needs no second auth.test
        self._runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        if self.mode == "socket":
            # Created here, inside the running loop.
            self.socket = build_socket_handler(self.bolt_app, self.deps, self.client)
            await self.socket.connect_async()

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self._runner is not None:
            await self._runner.cleanup()  # lets in-flight requests finish first
            self._runner = None
        # Then what those requests started after their ack.
        await drain_background(timeout=BACKGROUND_GRACE)


async def run(
    deps: Deps,
    *,
    host: str,
    port: int,
    stop: asyncio.Event | None = None,
    on_loop: Sequence[Callable[[Deps], None]] = (),
) -> int:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for prepare in on_loop:
        prepare(deps)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, on_sighup, deps)
    server = BotServer(deps, host=host, port=port)
    await server.start()
    # What start-up built (modules, the plan, Bolt's app) lives as long as the process:
    # moved out of the collector's sight, every later full collection scans only what
    # requests and jobs allocate (a pause of milliseconds instead of tens: it holds the
    # event loop, whichever thread set it off).
    gc.collect()  # start-up's own garbage first, or it would be kept for good
    gc.freeze()
    gc.enable()  # off during start-up (bot.app.cli)
    if server.mode == "socket":
        log.info("capacity-bot: Socket Mode connected; GET /healthz on %s:%d", host, server.port)
    else:
        log.info(
            "capacity-bot: HTTP mode on %s:%d (POST /slack/events, GET /healthz)",
            host,
            server.port,
        )
    await stop.wait()
    log.info("capacity-bot: shutting down")
    await server.stop()
    log.info("capacity-bot: stopped")
    return 0


def configure_logging(settings: Settings | None = None) -> None:
    """LOG_LEVEL and LOG_FORMAT, with every secret of `settings` scrubbed from the lines."""
    settings = settings or Settings()
    logs.configure_logging(settings.log_level, settings.log_format, settings.secret_values())
    # No request bodies, response URLs, tokens or control characters in the log.
    logsafe.install()


def serve(
    settings: Settings,
    port: int | None = None,
    host: str = "0.0.0.0",
    clock: Callable[[], datetime] = utc_now,
    on_loop: Sequence[Callable[[Deps], None]] = (),
) -> int:
    """Serve until SIGTERM/SIGINT. `clock` is the bot's notion of now (tests start it at a
    chosen instant, e.g. a digest slot due); each of `on_loop` is called on the event
    loop's thread before anything is served (tests guard that thread's connection)."""
    settings.require_for_serve()
    # Before any thread: worker threads share glibc's arenas instead of one each.
    limit_malloc_arenas()
    configure_logging(settings)
    deps = build_deps(settings, clock=clock)  # a plan with errors stops here (PlanError, exit 1)
    for warning in plan_warnings(deps.plan):
        # The template's own plan has three (its figures disagree); not worth a WARNING.
        log.info("plan warning: %s", warning)
    try:
        return asyncio.run(run(deps, host=host, port=port or settings.port, on_loop=on_loop))
    finally:
        deps.close()
