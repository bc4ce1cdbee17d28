"""One way to serve a stand-in (Prometheus, PagerDuty, a response_url catcher, the bot) on
127.0.0.1 at a free port, for tests that run a real aiohttp server."""

from __future__ import annotations

from typing import Any

from aiohttp import web

__all__ = ["serve_local"]


async def serve_local(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """Start `app` on 127.0.0.1 at a port the OS picks: the runner (clean it up) and the port."""
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port: int = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port
