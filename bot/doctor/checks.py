"""The checks that need no Slack: plan, database, ingest token, alert routes, Prometheus.

Each returns a `Check`: ok with what was found, or not ok with the fix, naming the
environment variable to change. Nothing here raises; nothing here prints a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.core.config import Settings
from bot.domain.checks import plan_warnings
from bot.domain.plan import Plan
from bot.monitor.delivery import Problem, delivery_lines, delivery_report
from bot.monitor.routes import ROUTE_NAMES
from bot.planio.planfile import PlanError, load_plan
from store import Store

__all__ = [
    "MIN_INGEST_TOKEN",
    "Check",
    "check_database",
    "check_ingest_token",
    "check_plan",
    "check_prometheus",
    "check_routes",
    "stored_problems",
]

# A bearer token anyone on the network may guess at: 16 characters is the least we accept.
MIN_INGEST_TOKEN = 16


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # Outside the process (Slack, Prometheus, routes): /healthz reports these as degraded,
    # never as down, so an orchestrator does not restart the bot for someone else's outage.
    outside: bool = False


def check_plan(settings: Settings) -> tuple[Check, Plan | None]:
    source = settings.plan_path
    name = f"CAPACITY_PLAN={source}" if source else "the embedded default plan"
    try:
        plan = load_plan(source)
    except PlanError as exc:
        first = exc.problems[0] if exc.problems else str(exc)
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        return (
            Check(
                "plan",
                False,
                f"CAPACITY_PLAN={source}: {first}{more}; `capacity-bot check-plan` lists them",
            ),
            None,
        )
    warnings = plan_warnings(plan)
    note = f", {len(warnings)} warning(s): see `capacity-bot check-plan`" if warnings else ""
    wins = ", the computed figures win" if plan.stated_figures == "computed" else ""
    return Check("plan", True, f"{name}: valid ({plan.tier_range}{wins}){note}"), plan


def check_database(settings: Settings) -> Check:
    path = Path(settings.db_path)
    status = Store.inspect(path)
    where = f"CAPACITY_DB={path}"
    if not status.writable:
        return Check(
            "database",
            False,
            f"{where}: cannot write ({status.reason}); point CAPACITY_DB at a writable file,"
            " e.g. /data/capacity.db on a volume owned by uid 10001",
        )
    if status.unknown:
        return Check(
            "database",
            False,
            f"{where}: written by a newer capacity-bot (migrations {', '.join(status.unknown)});"
            " upgrade capacity-bot, or point CAPACITY_DB at a backup from this version",
        )
    if not status.exists:
        return Check("database", True, f"{where}: not there yet; serve creates it (writable)")
    if status.pending:
        return Check(
            "database",
            True,
            f"{where}: writable; {len(status.pending)} migration(s) to apply at the next start",
        )
    return Check("database", True, f"{where}: writable, migrations current")


def check_ingest_token(settings: Settings) -> Check:
    token = settings.ingest_token
    if token is None:
        return Check(
            "ingest token", True, "CAPACITY_INGEST_TOKEN unset: POST /api/metrics is off (404)"
        )
    length = len(token.get_secret_value())
    if length < MIN_INGEST_TOKEN:
        return Check(
            "ingest token",
            False,
            f"CAPACITY_INGEST_TOKEN is {length} characters; use at least {MIN_INGEST_TOKEN}"
            " random ones, e.g. `openssl rand -hex 32`",
        )
    return Check("ingest token", True, "CAPACITY_INGEST_TOKEN set: POST /api/metrics is on")


def check_routes(settings: Settings, plan: Plan | None, problems: Sequence[Problem] = ()) -> Check:
    """Where each severity's alerts go, and why some may reach nobody: a route the plan
    wants but the environment does not configure, or a failure recorded by the bot that
    a person must fix (`problems`, from the store)."""
    if plan is None:
        return Check("alert routes", False, "not checked: the plan does not load", outside=True)
    report = delivery_report(plan, settings, problems)
    if not report.ok:
        fixes = [line.removeprefix("⚠️ ") for line in delivery_lines(report, settings.zone)]
        return Check("alert routes", False, "; ".join(fixes), outside=True)
    routes = ", ".join(
        f"{severity} to {ROUTE_NAMES.get(dest.route, dest.route)}"
        for severity, dest in sorted(report.routes.by_severity.items())
    )
    return Check("alert routes", True, routes, outside=True)


def stored_problems(settings: Settings) -> list[Problem]:
    """Delivery failures the running bot recorded, when the database can be read without
    changing it (it exists and needs no migration); none otherwise."""
    status = Store.inspect(settings.db_path)
    if not (status.exists and status.writable) or status.pending or status.unknown:
        return []
    store = Store(settings.db_path)
    try:
        return list(store.delivery.problems())
    finally:
        store.close()


async def check_prometheus(settings: Settings, plan: Plan | None, *, timeout: float = 5.0) -> Check:
    url = settings.prometheus_url
    if not url:
        return Check("prometheus", True, "CAPACITY_PROMETHEUS_URL unset: no pull", outside=True)
    queries = [m.name for m in plan.metrics if m.query] if plan else []
    ready = url.rstrip("/") + "/-/ready"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            http.get(ready) as resp,
        ):
            status = resp.status
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return Check(
            "prometheus",
            False,
            f"CAPACITY_PROMETHEUS_URL: cannot reach Prometheus ({type(exc).__name__});"
            " check the address (and that this host may reach it)",
            outside=True,
        )
    if status != 200:
        return Check(
            "prometheus",
            False,
            f"CAPACITY_PROMETHEUS_URL: Prometheus is not ready (/-/ready answered HTTP {status})",
            outside=True,
        )
    note = (
        f"pulls {', '.join(queries)}"
        if queries
        else "no plan metric has a `query`, so nothing is pulled"
    )
    return Check("prometheus", True, f"CAPACITY_PROMETHEUS_URL: ready; {note}", outside=True)
