"""The registry: health checks decide /healthz, details inform it, metrics in Prometheus
text, log fields on every record."""

from __future__ import annotations

import logging

import pytest

from bot.registry import LogContext, Metric, Registry


def test_health_is_ok_only_when_every_check_passes_and_never_raises() -> None:
    registry = Registry()
    registry.add_check("store", lambda: True)
    registry.add_detail("pull", lambda: {"ok": True})
    assert registry.health() == (True, {"store": True, "pull": {"ok": True}})

    def broken() -> bool:
        raise RuntimeError("secret detail")

    registry.add_check("scheduler", broken)
    registry.add_detail("metrics", lambda: 1 / 0)
    ok, body = registry.health()
    assert ok is False and body["scheduler"] is False
    assert body["metrics"] == {"error": "ZeroDivisionError"}


def test_metrics_are_written_in_the_prometheus_text_format() -> None:
    registry = Registry()
    registry.add_metric(Metric("capacity_up", "Whether the bot runs", lambda: 1.0))
    registry.add_metric(
        Metric(
            "capacity_outbox_messages",
            "Messages by status",
            lambda: {(("status", "sent"),): 3.0, (("status", 'we"ird'),): 0.5},
        )
    )
    assert registry.metrics_text() == (
        "# HELP capacity_outbox_messages Messages by status\n"
        "# TYPE capacity_outbox_messages gauge\n"
        'capacity_outbox_messages{status="sent"} 3\n'
        'capacity_outbox_messages{status="we\\"ird"} 0.5\n'
        "# HELP capacity_up Whether the bot runs\n"
        "# TYPE capacity_up gauge\n"
        "capacity_up 1\n"
    )


def test_log_records_carry_the_registered_fields(caplog: pytest.LogCaptureFixture) -> None:
    registry = Registry()
    registry.add_log_field("mode", lambda: "socket")
    logger = logging.getLogger("capacity_bot.test_registry")
    caplog.handler.addFilter(LogContext(registry))
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("hello")
    assert caplog.records[-1].context == {"mode": "socket"}  # type: ignore[attr-defined]


async def test_the_served_outbox_metric_counts_rows_by_status() -> None:
    from bot.jobs.alerts import register_outbox_metric
    from tests.metrics_helpers import Clock, make_deps

    deps = make_deps(Clock())
    register_outbox_metric(deps)
    deps.store.outbox.enqueue("k1", "digest", "{}", Clock()())
    assert 'capacity_outbox_messages{status="queued"} 1' in deps.registry.metrics_text()
