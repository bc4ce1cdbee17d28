"""Pull plan metrics that have a PromQL `query` from Prometheus' HTTP API."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.core.offload import in_thread
from bot.domain.monitoring import Sample
from bot.domain.plan import Plan
from store import Store

__all__ = ["SOURCE", "PollResult", "poll_prometheus", "redact"]

log = logging.getLogger(__name__)

SOURCE = "prometheus"


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def redact(text: str) -> str:
    """`text` with any URL's `user:password@` removed (CAPACITY_PROMETHEUS_URL may hold
    basic-auth credentials, and aiohttp errors quote the URL)."""
    return _USERINFO.sub(r"\1", text)


@dataclass
class PollResult:
    stored: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    # Values fetched but outside the metric's range in the plan: not stored.
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _value(body: Any) -> tuple[float, float] | None:
    """(unix time, value) of an instant query's first series or scalar; None when empty."""
    if not isinstance(body, dict) or body.get("status") != "success":
        raise ValueError(str(body.get("error") if isinstance(body, dict) else body)[:200])
    data = body.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        if not result:
            return None
        point = result[0]["value"]
    elif kind == "scalar":
        point = result
    else:
        raise ValueError(f"query returned a {kind}; use an instant vector or scalar")
    at, value = float(point[0]), float(point[1])
    return at, value


async def poll_prometheus(
    plan: Plan,
    store: Store,
    base_url: str,
    clock: Callable[[], datetime],
    *,
    timeout: float = 5.0,
    session: aiohttp.ClientSession | None = None,
) -> PollResult:
    """Query every plan metric with a `query` and store what came back.

    Never raises for an unreachable or failing Prometheus: the failure is logged and
    recorded (`store.metrics.sources()`, shown by `/healthz` and `status`).
    """
    result = PollResult()
    queries = [(m, m.query) for m in plan.metrics if m.query]
    if not queries:
        return result
    url = base_url.rstrip("/") + "/api/v1/query"
    own = session is None
    http = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    samples: list[Sample] = []
    try:
        for metric, query in queries:
            name = metric.name
            try:
                async with http.get(
                    url, params={"query": query}, timeout=aiohttp.ClientTimeout(total=timeout)
                ) as resp:
                    body = await resp.json(content_type=None)
                    if resp.status >= 400 and not isinstance(body, dict):
                        raise ValueError(f"HTTP {resp.status}")
                found = _value(body)
            except Exception as exc:  # unreachable, timeout, bad JSON, query error
                result.errors[name] = redact(f"{type(exc).__name__}: {exc}")[:300]
                continue
            if found is None or not math.isfinite(found[1]):
                continue  # no series yet: not an error, just nothing to store
            problem = metric.range_problem(found[1])
            if problem is not None:
                result.skipped[name] = problem
                continue
            at = datetime.fromtimestamp(found[0], UTC)
            samples.append(Sample(metric=name, at=at, value=found[1]))
    finally:
        if own:
            await http.close()
    error = "; ".join(f"{k}: {v}" for k, v in result.errors.items()) or None
    if error:
        log.warning("prometheus poll at %s failed: %s", redact(base_url), error)
    skipped = "; ".join(result.skipped.values()) or None
    if skipped:
        log.warning("prometheus poll skipped values outside the plan's ranges: %s", skipped)
    # On a worker thread: another process may hold the write lock.
    result.stored = await in_thread(_record, store, samples, clock(), error, skipped)
    return result


def _record(
    store: Store, samples: list[Sample], now: datetime, error: str | None, skipped: str | None
) -> int:
    stored = store.metrics.add_batch(samples) if samples else 0
    store.metrics.record_source(SOURCE, now, error, skipped)
    return stored
