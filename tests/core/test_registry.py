"""The registry: health checks decide /healthz, details inform it (a failing one degrades
it), and it holds the app's metrics."""

from __future__ import annotations

from bot.core.registry import Registry


def test_health_is_ok_only_when_every_check_passes_and_never_raises() -> None:
    registry = Registry()
    registry.add_check("store", lambda: True)
    registry.add_detail("pull", lambda: {"ok": True})
    assert registry.health("http") == (
        True,
        {"status": "ok", "store": True, "mode": "http", "pull": {"ok": True}},
    )

    def broken() -> bool:
        raise RuntimeError("secret detail")

    registry.add_check("scheduler", broken)
    ok, body = registry.health("http")
    assert ok is False and body["status"] == "unhealthy" and body["scheduler"] is False


def test_a_failing_detail_degrades_health_without_failing_it() -> None:
    registry = Registry()
    registry.add_check("store", lambda: True)
    registry.add_detail("metrics", lambda: 1 / 0)
    registry.add_detail("alerts", lambda: {"ok": False, "why": "route not configured"})
    ok, body = registry.health("socket")
    assert ok is True and body["status"] == "degraded"
    assert body["metrics"] == {"ok": False, "error": "ZeroDivisionError"}
    assert body["degraded"] == ["metrics", "alerts"]


def test_the_registry_holds_one_telemetry_made_on_first_use() -> None:
    registry = Registry()
    assert registry._telemetry is None
    assert registry.telemetry is registry.telemetry
