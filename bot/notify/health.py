"""Can alerts reach people? Routes, routes not configured, and failures a person must fix,
as /healthz details and as lines for `status` and Home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.domain.plan import Plan
from bot.monitor.rules_from_plan import rules_from_plan
from bot.notify.routes import (
    ROUTE_NAMES,
    RouteGap,
    Routes,
    channel_name,
    fix_for,
    route_gaps,
    routes_for,
)

if TYPE_CHECKING:
    from store import Store
    from store.delivery import DeliveryProblem

__all__ = ["DeliveryReport", "delivery_health", "delivery_lines", "delivery_report"]


@dataclass(frozen=True)
class DeliveryReport:
    routes: Routes
    gaps: tuple[RouteGap, ...]
    problems: tuple[DeliveryProblem, ...]
    # Slack channel id -> its name from the plan (`#alerts`), for the fix.
    names: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.problems


def delivery_report(plan: Plan, settings: Settings, store: Store | None) -> DeliveryReport:
    routes = routes_for(plan, settings)
    gaps = tuple(route_gaps(rules_from_plan(plan), routes))
    problems = tuple(store.delivery.problems()) if store is not None else ()
    names = {
        p.target: name
        for p in problems
        if p.route == "slack" and (name := channel_name(plan, routes, p.target))
    }
    return DeliveryReport(routes, gaps, problems, names)


def _problem_line(p: DeliveryProblem, name: str | None) -> str:
    route = ROUTE_NAMES.get(p.route, p.route)
    where = f"{name} ({p.target})" if name else p.target
    return (
        f"⚠️ Alerts cannot reach {route} {where}: {p.reason} since "
        f"{p.since:%Y-%m-%d %H:%M} UTC. Fix: {fix_for(p.route, p.reason, p.target, name)}"
    )


def delivery_lines(report: DeliveryReport) -> list[str]:
    """What `status` and Home say, each with its fix; empty when every route works."""
    lines = [_problem_line(p, report.names.get(p.target)) for p in report.problems]
    lines += [f"⚠️ {gap.describe()}" for gap in report.gaps]
    return lines


def delivery_health(plan: Plan, settings: Settings, store: Store) -> dict[str, Any]:
    """The /healthz detail: degraded with its reasons, never failing the check (200).

    Reasons are codes and channel ids only, never a key, an address list or error text.
    """
    try:
        report = delivery_report(plan, settings, store)
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
