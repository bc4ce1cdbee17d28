"""`GET /metrics`: the bot's own metrics in the Prometheus text format, in both modes.

Counters come from `deps.telemetry` (commands, ack latency, Web API calls, samples); what
the store holds (outbox depth and age, rule states, the last digest) is read at scrape
time: a few indexed queries, so a scrape costs about a millisecond of the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, get_args

from aiohttp import web

from bot.monitor import AlertState

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["RULE_STATES", "StoreCollector", "make_metrics_route"]

log = logging.getLogger(__name__)

# The classic text format generate_latest writes (names escaped to underscores), which
# every Prometheus 2.x parses; newer clients announce version=1.0.0 for the same bytes.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RULE_STATES: tuple[str, ...] = get_args(AlertState.model_fields["status"].annotation)


class StoreCollector:
    """A prometheus-client collector over the store; a failing store is one `up`-style 0."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def describe(self) -> list[Any]:
        return []  # read only at scrape time: never touch the store while registering

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        store_up = GaugeMetricFamily(
            "capacity_bot_store_up", "1 when the bot's database answered this scrape."
        )
        try:
            families = list(self._families(GaugeMetricFamily))
        except Exception as exc:
            log.warning("metrics: cannot read the store: %s", type(exc).__name__)
            store_up.add_metric([], 0)
            yield store_up
            return
        store_up.add_metric([], 1)
        yield store_up
        yield from families

    def _families(self, gauge: Any) -> Iterator[Any]:
        store = self.deps.store
        now = self.deps.clock()
        counts = store.outbox.counts()
        depth = gauge(
            "capacity_bot_outbox_depth", "Notifications queued or being sent, not yet delivered."
        )
        depth.add_metric([], counts.get("queued", 0) + counts.get("sending", 0))
        yield depth
        parked = gauge(
            "capacity_bot_outbox_unknown",
            "Notifications parked because Slack may or may not have posted them.",
        )
        parked.add_metric([], counts.get("unknown", 0))
        yield parked
        oldest = store.outbox.oldest_waiting()
        age = gauge(
            "capacity_bot_outbox_oldest_age_seconds",
            "Age of the oldest notification not yet delivered (0 when none waits).",
        )
        age.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield age
        states = gauge(
            "capacity_bot_rule_state",
            "1 for each rule's current state (inactive, pending, firing, nodata).",
            labels=["rule", "state"],
        )
        for rule_id, state in sorted(store.alerts.states().items()):
            for name in RULE_STATES:
                states.add_metric([rule_id, name], 1.0 if state.status == name else 0.0)
        yield states
        posted = store.digests.last_posted_at()
        digest = gauge(
            "capacity_bot_last_digest_timestamp_seconds",
            "Unix time the last digest was posted (0 before the first).",
        )
        digest.add_metric([], posted.timestamp() if posted else 0.0)
        yield digest


def make_metrics_route(deps: Deps) -> list[web.RouteDef]:
    """`GET /metrics` over `deps.telemetry`'s registry plus the store's gauges."""
    from prometheus_client import generate_latest

    registry = deps.telemetry.registry
    deps.telemetry.add_collector("store", StoreCollector(deps))

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE})

    return [web.get("/metrics", metrics)]
