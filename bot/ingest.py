"""`POST /api/metrics`: push samples over HTTP. Mounted by the app in HTTP and Socket Mode."""

from __future__ import annotations

import hmac
import json
import logging
import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.monitor.model import Sample, require_aware

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["MAX_BODY", "MAX_FUTURE", "make_metrics_routes", "parse_batch"]

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_FUTURE = timedelta(days=1)
MAX_SAMPLES = 10_000
_EXAMPLE = '{"samples": [{"metric": "mau", "value": 850}]}'


class _Batch(BaseModel):
    """Only the envelope is strict here; each sample is checked by hand so the error names it."""

    model_config = ConfigDict(extra="forbid")
    samples: list[Any] = Field(min_length=1, max_length=MAX_SAMPLES)


class SampleError(Exception):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"samples[{index}]: {reason}")
        self.index = index
        self.reason = reason


def _parse_at(raw: Any, now: datetime) -> datetime:
    if raw is None:
        return now
    if isinstance(raw, bool):
        raise ValueError("bad timestamp: use ISO 8601 with a zone, e.g. 2026-11-27T10:00:00Z")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError("bad timestamp: not a finite number of unix seconds")
        try:
            return datetime.fromtimestamp(raw, now.tzinfo)
        except (OverflowError, OSError, ValueError):
            raise ValueError("bad timestamp: unix seconds out of range") from None
    if not isinstance(raw, str):
        raise ValueError("bad timestamp: use ISO 8601 with a zone, e.g. 2026-11-27T10:00:00Z")
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise ValueError(
            f"bad timestamp {raw[:40]!r}: use ISO 8601 with a zone, e.g. 2026-11-27T10:00:00Z"
        ) from None
    if at.tzinfo is None:
        raise ValueError(f"bad timestamp {raw[:40]!r}: give a zone, e.g. Z or +00:00")
    return at


def parse_batch(body: Any, known: set[str], now: datetime) -> list[Sample]:
    """The samples of a request body, or SampleError naming the first bad one."""
    now = require_aware(now)
    batch = _Batch.model_validate(body)
    out: list[Sample] = []
    for index, raw in enumerate(batch.samples):
        if not isinstance(raw, dict):
            raise SampleError(index, 'each sample is an object: {"metric": ..., "value": ...}')
        extra = set(raw) - {"metric", "value", "at"}
        if extra:
            raise SampleError(index, f"unexpected field {sorted(extra)[0]!r}")
        metric = raw.get("metric")
        if not isinstance(metric, str) or metric not in known:
            shown = str(metric)[:64]
            raise SampleError(
                index, f"unknown metric {shown!r}; the plan has {', '.join(sorted(known))}"
            )
        value = raw.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SampleError(index, "value must be a number")
        if not math.isfinite(value):
            raise SampleError(index, "value must be finite (not NaN or infinity)")
        try:
            at = _parse_at(raw.get("at"), now)
        except ValueError as exc:
            raise SampleError(index, str(exc)) from None
        if at - now > MAX_FUTURE:
            raise SampleError(index, "time is more than a day in the future")
        out.append(Sample(metric=metric, at=at, value=float(value)))
    return out


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error": message, **extra}, status=status)


def _authorised(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def make_metrics_routes(deps: Deps) -> list[web.RouteDef]:
    """Routes to add to the app's aiohttp application: `app.add_routes(make_metrics_routes(d))`.

    With CAPACITY_INGEST_TOKEN unset the endpoint answers 404, as if it did not exist.
    """

    async def post_metrics(request: web.Request) -> web.Response:
        secret = deps.settings.ingest_token
        if secret is None:
            raise web.HTTPNotFound()
        if not _authorised(request, secret.get_secret_value()):
            return web.json_response(
                {"ok": False, "error": "missing or wrong bearer token"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, f"body is larger than {MAX_BODY} bytes")
        data = bytearray()
        # Read at most MAX_BODY + 1 bytes, whatever Content-Length claimed (or chunked).
        while len(data) <= MAX_BODY:
            chunk = await request.content.read(MAX_BODY + 1 - len(data))
            if not chunk:
                break
            data += chunk
        if len(data) > MAX_BODY:
            return _error(413, f"body is larger than {MAX_BODY} bytes")
        try:
            body = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, f"body is not JSON: {exc}")
        try:
            samples = parse_batch(body, {m.name for m in deps.plan.metrics}, deps.clock())
        except SampleError as exc:
            return _error(422, str(exc), index=exc.index, reason=exc.reason)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return _error(
                400,
                f"{where}: {first['msg']}; expected {_EXAMPLE}",
            )
        stored = deps.store.metrics.add_batch(samples)
        return web.json_response({"ok": True, "stored": stored})

    return [web.post("/api/metrics", post_metrics)]
