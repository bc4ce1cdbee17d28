"""Can alerts reach people? Routes not configured and failures a person must fix, as lines
with their fix for `status` and Home. Pure: the stored problems are passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from bot.core.config import Settings
from bot.domain.plan import Plan
from bot.domain.values import Moment, Prose
from bot.monitor.routes import (
    ROUTE_NAMES,
    RouteGap,
    Routes,
    channel_name,
    fix_for,
    route_gaps,
    routes_for,
)
from bot.monitor.rules_from_plan import rules_from_plan

__all__ = ["DeliveryReport", "Problem", "delivery_lines", "delivery_report"]


class Problem(Protocol):
    """A failure only a person can fix (`store.delivery.DeliveryProblem` is one)."""

    @property
    def route(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def since(self) -> datetime: ...


@dataclass(frozen=True)
class DeliveryReport:
    routes: Routes
    gaps: tuple[RouteGap, ...]
    problems: tuple[Problem, ...]
    # Slack channel id -> its name from the plan (`#alerts`), for the fix.
    names: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.problems


def delivery_report(plan: Plan, settings: Settings, problems: Sequence[Problem]) -> DeliveryReport:
    routes = routes_for(plan, settings)
    gaps = tuple(route_gaps(rules_from_plan(plan), routes))
    names = {
        p.target: name
        for p in problems
        if p.route == "slack" and (name := channel_name(plan, routes, p.target))
    }
    return DeliveryReport(routes, gaps, tuple(problems), names)


def _problem_line(p: Problem, name: str | None, zone: tzinfo) -> Prose:
    route = ROUTE_NAMES.get(p.route, p.route)
    where = f"{name} ({p.target})" if name else p.target
    return Prose(
        f"⚠️ Alerts cannot reach {route} {where}: {p.reason} since ",
        Moment(p.since, zone),
        f". Fix: {fix_for(p.route, p.reason, p.target, name)}",
    )


def delivery_lines(report: DeliveryReport, zone: tzinfo = UTC) -> list[str]:
    """What `status` and Home say, each with its fix; empty when every route works. Times
    in `zone` (the team's)."""
    lines: list[str] = [_problem_line(p, report.names.get(p.target), zone) for p in report.problems]
    lines += [f"⚠️ {gap.describe()}" for gap in report.gaps]
    return lines
