"""What every token-guarded endpoint does before it reads a byte's meaning: the ingest token
checked (404 when none is set, as if the endpoint did not exist; 401 when wrong) and the
body read to at most a bound, whatever Content-Length claimed (or chunked)."""

from __future__ import annotations

import hmac

from aiohttp import web
from pydantic import SecretStr

__all__ = ["authorised", "guarded_body"]


def authorised(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _refusal(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


async def guarded_body(
    request: web.Request, secret: SecretStr | None, max_body: int
) -> bytes | web.Response:
    """The body of a request the token authorises, or the JSON refusal to answer with."""
    if secret is None:
        raise web.HTTPNotFound()
    if not authorised(request, secret.get_secret_value()):
        return web.json_response(
            {"ok": False, "error": "missing or wrong bearer token"},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    too_large = f"body is larger than {max_body} bytes"
    if request.content_length is not None and request.content_length > max_body:
        return _refusal(413, too_large)
    data = bytearray()
    # Read at most max_body + 1 bytes: a single read may return less than is on its way.
    while len(data) <= max_body:
        chunk = await request.content.read(max_body + 1 - len(data))
        if not chunk:
            break
        data += chunk
    if len(data) > max_body:
        return _refusal(413, too_large)
    return bytes(data)
