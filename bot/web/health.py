"""`GET /healthz`: 200 when every registered check passes, else 503; the body shows each
check and every registered detail (bot.registry). Unauthenticated, so details say whether
and since when, never an error's text."""

from __future__ import annotations

from aiohttp import web

from bot.registry import Registry

__all__ = ["health_routes"]


def health_routes(registry: Registry, mode: str) -> list[web.RouteDef]:
    async def healthz(request: web.Request) -> web.Response:
        ok, body = registry.health()
        answer = {"status": "ok" if ok else "unhealthy", **body, "mode": mode}
        return web.json_response(answer, status=200 if ok else 503)

    return [web.get("/healthz", healthz)]
