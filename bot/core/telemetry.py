"""The bot's own metrics: what it served, how fast it acked, what Slack answered.

One `Telemetry` per app, each with its own CollectorRegistry (not prometheus-client's
global one), so two apps in one process (tests) never share counters. prometheus-client
is imported when the first Telemetry is made: `ask` and `shell` never pay for it.
`bot.web.metrics` serves the registry, adding what it reads from the store at scrape time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["ACK_BUCKETS", "INTAKE_REASONS", "Telemetry"]

# Slack's limit is 3 s; answers in the ack take about a millisecond (docs/PERFORMANCE.md).
INTAKE_REASONS = ("bad_signature", "stale", "replay", "undecodable", "too_large")
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Telemetry:
    def __init__(self) -> None:
        from prometheus_client import (
            CollectorRegistry,
            Counter,
            Histogram,
            disable_created_metrics,
        )

        # A `_created` twin of every counter doubles the output for nothing a dashboard uses.
        disable_created_metrics()

        self.registry: CollectorRegistry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter(
            "capacity_bot_commands",
            "Slash commands served, by command word and outcome (ok, error, unknown, failed).",
            ["command", "outcome"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "capacity_bot_ack_seconds",
            "Time from a Slack request's arrival to its ack, by kind of request.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.api_calls = Counter(
            "capacity_bot_slack_api_calls",
            "Slack Web API calls made, by method.",
            ["method"],
            registry=r,
        )
        self.api_errors = Counter(
            "capacity_bot_slack_api_errors",
            "Slack Web API calls that failed, by method and Slack's error code.",
            ["method", "error"],
            registry=r,
        )
        self.samples_ingested = Counter(
            "capacity_bot_samples_ingested",
            "Metric samples stored, by source (api, prometheus).",
            ["source"],
            registry=r,
        )
        self.samples_refused = Counter(
            "capacity_bot_samples_refused",
            "POST /api/metrics requests refused, by HTTP status.",
            ["status"],
            registry=r,
        )
        self.intake_rejected = Counter(
            "capacity_bot_slack_requests_rejected",
            "Slack requests refused before any listener ran, by reason (bad_signature, stale,"
            " replay, undecodable, too_large).",
            ["reason"],
            registry=r,
        )
        for reason in INTAKE_REASONS:  # shown at 0, so an alert can watch for a rise
            self.intake_rejected.labels(reason=reason)
        # The children looked up once: this runs on every Slack request.
        self._ack = {
            k: self.ack_seconds.labels(kind=k) for k in ("command", "action", "view", "event")
        }
        self._commands: dict[tuple[str, str], Any] = {}
        self._collectors: set[str] = set()

    def add_collector(self, key: str, collector: Any) -> None:
        """Register a collector once per key (two web apps over one Deps share it)."""
        if key not in self._collectors:
            self._collectors.add(key)
            self.registry.register(collector)

    def api_call(self, method: str, error: str | None = None) -> None:
        """One Web API call; `error` is Slack's error code (or the exception's class)."""
        self.api_calls.labels(method=method).inc()
        if error is not None:
            self.api_errors.labels(method=method, error=error[:60]).inc()

    def intake_refused(self, reason: str) -> None:
        """A Slack request the intake refused; `reason` is one of INTAKE_REASONS."""
        self.intake_rejected.labels(reason=reason).inc()

    def command_served(self, command: str, outcome: str) -> None:
        # Labels are a bounded set (command names x outcomes): each child looked up once.
        child = self._commands.get((command, outcome))
        if child is None:
            child = self._commands[(command, outcome)] = self.commands.labels(
                command=command, outcome=outcome
            )
        child.inc()

    def acked(self, kind: str, seconds: float) -> None:
        """One Slack request acked after `seconds`; `kind` as `request_kind` says."""
        child = self._ack.get(kind)
        (child or self.ack_seconds.labels(kind=kind)).observe(seconds)
