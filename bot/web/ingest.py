"""`POST /api/metrics`: push samples over HTTP. Mounted by the app in HTTP and Socket Mode."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.offload import in_thread
from bot.domain.monitoring import require_aware
from bot.domain.plan import Metric
from bot.web.body import guarded_body
from store.db import WRITE_WAIT, is_locked
from store.vitals import STORE_ERRORS, describe_error, is_disk_full

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = [
    "MAX_BODY",
    "MAX_FUTURE",
    "SampleError",
    "make_metrics_routes",
    "parse_rows",
]

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_FUTURE = timedelta(days=1)
MAX_SAMPLES = 10_000
MAX_DEPTH = 32
# Every batch is stored on a worker thread: a write can wait on another process's lock.
# Only with an in-memory database (tests) are bodies up to this size stored on the loop.
INLINE_BODY = 16 * 1024
# What a 503 for a busy database tells the client to wait before sending again.
RETRY_AFTER = 5
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


_FIELDS = frozenset({"metric", "value", "at"})
_ISO_HINT = "use ISO 8601 with a zone, e.g. 2026-11-27T10:00:00Z, or unix seconds"


def _parse_at(raw: Any, now: float) -> float:
    """Unix seconds of `at` (a number, or ISO 8601 text with a zone); `now` when absent."""
    if raw is None:
        return now
    if isinstance(raw, str):
        try:
            at = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"bad timestamp {raw[:40]!r}: {_ISO_HINT}") from None
        if at.tzinfo is None:
            raise ValueError(f"bad timestamp {raw[:40]!r}: give a zone, e.g. Z or +00:00")
        return at.timestamp()
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 0 <= raw < 32503680000:  # year 3000; also rules out NaN and infinity
            raise ValueError("bad timestamp: unix seconds out of range")
        return float(raw)
    raise ValueError(f"bad timestamp: {_ISO_HINT}")


def parse_rows(
    body: Any,
    known: set[str],
    now: datetime,
    *,
    retention: timedelta = timedelta(days=30),
    metrics: Iterable[Metric] = (),
) -> list[tuple[str, float, float]]:
    """(metric, unix seconds, value) of every sample in a request body, or SampleError
    naming the first bad one. Checked by hand, not per-sample pydantic: this is the hot
    path of ingestion (see docs/PERFORMANCE.md).

    A sample older than the raw `retention` window is refused: the next rollup would
    prune it, so storing it would only pretend to keep it. A value outside its metric's
    range (`metrics`: the plan's, with `min`/`max`) is refused, naming the range.
    """
    ranges = {m.name: (m, *m.bounds) for m in metrics}
    now_ts = require_aware(now).timestamp()
    limit = now_ts + MAX_FUTURE.total_seconds()
    oldest = now_ts - retention.total_seconds()
    too_old = f"time is older than the {retention.days}-day retention"
    batch = _Batch.model_validate(body)
    out: list[tuple[str, float, float]] = []
    append = out.append
    for index, raw in enumerate(batch.samples):
        if type(raw) is not dict:
            raise SampleError(index, 'each sample is an object: {"metric": ..., "value": ...}')
        if len(raw) > 2 and not _FIELDS.issuperset(raw):
            extra = sorted(k for k in raw if k not in _FIELDS)[0]
            raise SampleError(index, f"unexpected field {extra!r}")
        metric = raw.get("metric")
        if type(metric) is not str or metric not in known:
            shown = str(metric)[:64]
            raise SampleError(
                index, f"unknown metric {shown!r}; the plan has {', '.join(sorted(known))}"
            )
        value: Any = raw.get("value")
        kind = type(value)
        if kind is not float and kind is not int:
            raise SampleError(index, "value must be a number")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float
            raise SampleError(index, "value out of range") from None
        if not finite:
            raise SampleError(index, "value must be finite (not NaN or infinity)")
        bounded = ranges.get(metric)
        if bounded is not None:
            declared, low, high = bounded
            if (low is not None and value < low) or (high is not None and value > high):
                raise SampleError(
                    index, f"{declared.range_problem(value)} ({declared.range_text()})"
                )
        try:
            at = _parse_at(raw.get("at"), now_ts)
        except ValueError as exc:
            raise SampleError(index, str(exc)) from None
        if at > limit:
            raise SampleError(index, "time is more than a day in the future")
        if at < oldest:
            raise SampleError(index, too_old)
        append((metric, at, float(value)))
    return out


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error": message, **extra}, status=status)


def make_metrics_routes(deps: Deps) -> list[web.RouteDef]:
    """Routes to add to the app's aiohttp application: `app.add_routes(make_metrics_routes(d))`.

    With CAPACITY_INGEST_TOKEN unset the endpoint answers 404, as if it did not exist.
    """

    retention = timedelta(days=deps.settings.raw_retention_days)

    async def post_metrics(request: web.Request) -> web.Response:
        response = await _post_metrics(request)
        if response.status >= 400:
            deps.telemetry.samples_refused.labels(status=str(response.status)).inc()
        return response

    async def _post_metrics(request: web.Request) -> web.Response:
        data = await guarded_body(request, deps.settings.ingest_token, MAX_BODY)
        if isinstance(data, web.Response):
            return data
        if deps.store.in_memory and len(data) <= INLINE_BODY:
            # No other process can hold an in-memory database's lock (tests).
            return store_batch(bytes(data))
        return await in_thread(store_waiting, bytes(data))

    def store_waiting(data: bytes) -> web.Response:
        """On a worker thread: another process's write lock (an import, a backup) is waited
        for briefly, then the client is told to come back instead of kept waiting."""
        try:
            with deps.store.lock_wait(WRITE_WAIT):
                return store_batch(data)
        except Exception as exc:
            if not is_locked(exc):
                raise
            log.warning("samples refused for now: the database's write lock was held too long")
            return web.json_response(
                {
                    "ok": False,
                    "error": "the database is busy (another process is writing); "
                    f"nothing was stored, retry in {RETRY_AFTER} s",
                },
                status=503,
                headers={"Retry-After": str(RETRY_AFTER)},
            )

    def store_batch(data: bytes) -> web.Response:
        """Decode, check and store one body (any thread: the store has one connection each)."""
        # Deeper than a batch ever is: refused before json.loads could recurse that far.
        if b"[" * MAX_DEPTH in data or b"{" * MAX_DEPTH in data:
            return _error(400, f"body nests deeper than {MAX_DEPTH} levels")
        try:
            body = json.loads(data)
        except RecursionError:
            return _error(400, f"body nests deeper than {MAX_DEPTH} levels")
        except ValueError as exc:  # bad JSON or UTF-8, or a number past int's digit limit
            return _error(400, f"body is not JSON: {str(exc)[:120]}")
        # The live plan's metrics: a reload adds, removes and narrows them.
        metrics = deps.plan.metrics
        known = {m.name for m in metrics}
        try:
            rows = parse_rows(body, known, deps.clock(), retention=retention, metrics=metrics)
        except SampleError as exc:
            return _error(422, str(exc), index=exc.index, reason=exc.reason)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return _error(
                400,
                f"{where}: {first['msg']}; expected {_EXAMPLE}",
            )
        try:
            stored = deps.store.metrics.add_rows(rows)
        except STORE_ERRORS as exc:
            if is_locked(exc):  # not a failing store: another process's lock (store_waiting)
                raise
            # Nothing was stored (one transaction). A full disk is the client's 507, any
            # other store failure a 503: both JSON with the reason, like every refusal.
            log.warning("POST /api/metrics: batch not stored: %s", exc)
            reason = describe_error(exc)
            deps.store.vitals.wrote(False, deps.clock(), reason)
            status = 507 if is_disk_full(exc) else 503
            return _error(status, f"{reason}; nothing was stored, send the batch again later")
        deps.store.vitals.wrote(True, deps.clock())
        deps.telemetry.samples_ingested.labels(source="api").inc(stored)
        return web.json_response({"ok": True, "stored": stored})

    return [web.post("/api/metrics", post_metrics)]
