"""One place where parts say how they are doing: health checks, health details, metrics and
log context. `/healthz` reports the checks and details, `metrics_text()` is what `/metrics`
serves, and `LogContext` adds the log fields to every record. A part registers at start-up
(the scheduler its running state, the outbox its backlog); nothing reports on its own.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["LogContext", "Metric", "Registry"]

log = logging.getLogger(__name__)

# A metric's value: one number, or one per label set ({("status", "sent"): 3.0, ...}).
Sampled = float | Mapping[tuple[tuple[str, str], ...], float]


@dataclass(frozen=True)
class Metric:
    name: str  # capacity_outbox_messages
    help: str
    collect: Callable[[], Sampled]
    kind: Literal["gauge", "counter"] = "gauge"


@dataclass
class Registry:
    # Must all be true for /healthz to answer 200.
    checks: dict[str, Callable[[], bool]] = field(default_factory=dict)
    # Reported in /healthz but not deciding it (e.g. a Prometheus that is down).
    details: dict[str, Callable[[], Any]] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    log_fields: dict[str, Callable[[], object]] = field(default_factory=dict)

    def add_check(self, name: str, check: Callable[[], bool]) -> None:
        self.checks[name] = check

    def add_detail(self, name: str, detail: Callable[[], Any]) -> None:
        self.details[name] = detail

    def add_metric(self, metric: Metric) -> None:
        self.metrics[metric.name] = metric

    def add_log_field(self, name: str, value: Callable[[], object]) -> None:
        self.log_fields[name] = value

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Whether every check passes, and the body /healthz shows. Never raises: a check
        that fails counts as false, a detail that fails shows its error's type."""
        body: dict[str, Any] = {}
        for name, check in self.checks.items():
            try:
                body[name] = bool(check())
            except Exception:
                log.exception("health check %s failed", name)
                body[name] = False
        ok = all(body.values())
        for name, detail in self.details.items():
            try:
                body[name] = detail()
            except Exception as exc:  # a detail must never turn health into a 500
                body[name] = {"error": type(exc).__name__}
        return ok, body

    def metrics_text(self) -> str:
        """Every registered metric in the Prometheus text format (0.0.4)."""
        lines: list[str] = []
        for metric in sorted(self.metrics.values(), key=lambda m: m.name):
            try:
                sampled = metric.collect()
            except Exception:
                log.exception("metric %s failed", metric.name)
                continue
            lines.append(f"# HELP {metric.name} {_escape_help(metric.help)}")
            lines.append(f"# TYPE {metric.name} {metric.kind}")
            if isinstance(sampled, Mapping):
                for labels, value in sorted(sampled.items()):
                    shown = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels)
                    lines.append(f"{metric.name}{{{shown}}} {_number(value)}")
            else:
                lines.append(f"{metric.name} {_number(sampled)}")
        return "\n".join(lines) + "\n" if lines else ""

    def log_context(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name, value in self.log_fields.items():
            try:
                out[name] = value()
            except Exception:
                out[name] = None
        return out


class LogContext(logging.Filter):
    """Adds the registry's log fields to each record as `record.context` (a dict), for a
    formatter that writes them (LOG_FORMAT=json)."""

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        record.context = self.registry.log_context()
        return True


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if value != int(value) else str(int(value))


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
