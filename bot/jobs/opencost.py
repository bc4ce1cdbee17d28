"""Pull yesterday's cost allocation from OpenCost (CAPACITY_OPENCOST_URL) into the cost store.

Each pull asks `/allocation` for the window of the day before (UTC), aggregated as the
plan says (`costs.opencost_aggregate`), and replaces what an earlier pull stored for that
day, so pulling hourly never counts a day twice. A failing pull is recorded like the
Prometheus pull (`/healthz` metrics.sources.opencost, `status`), never raised; a URL's
credentials are never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.core.offload import in_thread
from bot.domain.opencost import OpenCostError, allocation_lines
from bot.domain.plan import Plan
from bot.jobs.prometheus import redact
from store import Store

__all__ = ["SOURCE", "PullResult", "pull_opencost"]

log = logging.getLogger(__name__)

SOURCE = "opencost"
MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class PullResult:
    stored: int = 0
    error: str | None = None


def yesterday(now: datetime) -> tuple[datetime, datetime]:
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    return today - timedelta(days=1), today


async def pull_opencost(
    plan: Plan,
    store: Store,
    base_url: str,
    clock: Callable[[], datetime],
    *,
    timeout: float = 10.0,
) -> PullResult:
    now = clock().astimezone(UTC)
    start, end = yesterday(now)
    aggregate = plan.costs.opencost_aggregate
    window = f"{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ}"
    params = {"window": window, "aggregate": aggregate, "accumulate": "true"}
    url = base_url.rstrip("/") + "/allocation"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            http.get(url, params=params) as resp,
        ):
            raw = await resp.content.read(MAX_BODY + 1)
            if len(raw) > MAX_BODY:
                raise OpenCostError(f"the answer is larger than {MAX_BODY:,} bytes")
            if resp.status >= 400:
                raise OpenCostError(f"HTTP {resp.status}")
    except Exception as exc:  # unreachable, timeout, an HTTP error
        # Recorded on a worker thread too: another process may hold the write lock.
        return await in_thread(_failed, store, base_url, now, exc)
    # Parsing and storing a day of allocations run on a worker thread, off the loop.
    return await in_thread(_store_day, store, base_url, raw, start, end, aggregate, now)


def _failed(store: Store, base_url: str, now: datetime, exc: Exception) -> PullResult:
    error = redact(f"{type(exc).__name__}: {exc}")[:300]
    log.warning("opencost pull at %s failed: %s", redact(base_url), error)
    store.metrics.record_source(SOURCE, now, error)
    return PullResult(error=error)


def _store_day(
    store: Store,
    base_url: str,
    raw: bytes,
    start: datetime,
    end: datetime,
    aggregate: str,
    now: datetime,
) -> PullResult:
    try:
        lines = allocation_lines(json.loads(raw), start, end, aggregate)
    except (ValueError, RecursionError) as exc:  # bad JSON, or not OpenCost's shape
        return _failed(store, base_url, now, exc)
    if lines:
        digest = hashlib.sha256(raw).hexdigest()
        store.costs.import_bill(SOURCE, lines, f"opencost {start:%Y-%m-%d}", digest, now)
    store.metrics.record_source(SOURCE, now)
    return PullResult(stored=len(lines))
