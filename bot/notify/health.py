"""The /healthz detail about alerts: each severity's route, and why alerts may not reach
anyone (a route not configured, a failure a person must fix)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.config import Settings
from bot.domain.plan import Plan
from bot.monitor.delivery import delivery_report

if TYPE_CHECKING:
    from store import Store

__all__ = ["delivery_health"]


def delivery_health(plan: Plan, settings: Settings, store: Store) -> dict[str, Any]:
    """Degraded with its reasons, never failing the check (200).

    Reasons are codes and channel ids only, never a key, an address list or error text.
    """
    try:
        report = delivery_report(plan, settings, store.delivery.problems())
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    degraded = [
        f"{p.route} {p.target}: {p.reason}" if p.route == "slack" else f"{p.route}: {p.reason}"
        for p in report.problems
    ]
    degraded += [
        f"{g.severity} route {g.wanted} not configured ({len(g.rule_ids)} rules post to Slack)"
        for g in report.gaps
    ]
    return {
        "ok": report.ok,
        "routes": {sev: dest.route for sev, dest in report.routes.by_severity.items()},
        "degraded": degraded,
    }
