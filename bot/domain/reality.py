"""The plan against reality: each assumption of the plan's formulas, measured.

Pure. `assess(plan, hours)` takes the hourly statistics of the role metrics (the plan's
`reality.metrics` and its users metric) and returns one `Assumption` a row: the plan's
figure, the measured one with its days, samples and spread, the drift, and what the
measured figure changes when it replaces the plan's in the plan's own formulas
(`bot.domain.reality_effects`). The README section "Is our plan still true?" writes each
derivation as a formula.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.monitoring import HourStat
from bot.domain.plan import Plan, StorageFormula
from bot.domain.reality_effects import effects_for, jobs_share
from bot.domain.reality_measure import (
    Hours,
    Measured,
    Shortfall,
    daily,
    growth_per_month,
    peak_to_mean,
)
from bot.domain.sizing import database_gb_for
from bot.domain.values import fmt_value

__all__ = [
    "Assumption",
    "Reality",
    "assess",
    "growth_gb_month",
    "latest_mean",
    "role_metrics",
    "users_metric",
]


def users_metric(plan: Plan) -> str:
    """The metric that counts the plan's unit of growth (users, readers, workspaces).

    The one place every derivation asks; it follows the plan's users metric."""
    return plan.users_metric


def role_metrics(plan: Plan) -> tuple[str, ...]:
    """Every metric the reality computation reads."""
    m = plan.reality.metrics
    names = (users_metric(plan), m.requests, m.mean_response, m.containers, m.database)
    return tuple(dict.fromkeys((*names, m.cpu, m.p95, m.connections, m.storage, plan.cost_metric)))


_GROWTH = re.compile(r"(\d+(?:\.\d+)?)\s*GB\s*(?:/|a|per)\s*month", re.IGNORECASE)


def growth_gb_month(plan: Plan) -> float | None:
    """The plan's storage growth a month: `reality.growth_gb_month`, or read from the
    storage formula's growth note (`~2GB/month`)."""
    if plan.reality.growth_gb_month is not None:
        return float(plan.reality.growth_gb_month)
    storage = plan.formulas.storage
    found = _GROWTH.search(storage.growth_note) if storage is not None else None
    return float(found.group(1)) if found else None


def latest_mean(hours: Hours, metric: str) -> float | None:
    series = hours.get(metric, ())
    return series[-1].mean if series else None


@dataclass(frozen=True)
class Assumption:
    key: str  # stable id: the warning's rule id is `assumption.<key>`
    label: str
    unit: str
    plan: float
    measured: Measured | Shortfall
    effects: tuple[str, ...] = ()

    @property
    def value(self) -> float | None:
        return self.measured.value if isinstance(self.measured, Measured) else None

    @property
    def drift_pct(self) -> float | None:
        value = self.value
        if value is None or self.plan == 0:
            return None
        return (value - self.plan) * 100 / self.plan

    def off(self, tolerance_pct: float) -> bool:
        drift = self.drift_pct
        return drift is not None and abs(drift) > tolerance_pct

    def shown(self, value: float) -> str:
        return fmt_value(Decimal(str(_round(value))), self.unit)

    def drift_text(self) -> str:
        drift = self.drift_pct
        if drift is None:
            return "—"
        if abs(drift) < 0.5:
            return "0%"
        return f"{'+' if drift >= 0 else '−'}{abs(drift):.0f}%"

    def sentence(self) -> str:
        """`Storage per user: plan 20MB, measured 31MB (+55%): Tier 2 storage ...`."""
        if not isinstance(self.measured, Measured):
            return f"{self.label}: plan {self.shown(self.plan)}; {self.measured.text()}"
        head = (
            f"{self.label}: plan {self.shown(self.plan)}, measured "
            f"{self.shown(self.measured.value)} ({self.drift_text()})"
        )
        return f"{head}: {'; '.join(self.effects)}" if self.effects else head

    def basis(self) -> str:
        """`14 days (Nov 20 – Dec 3), 40,320 samples, daily 29MB – 33MB`."""
        m = self.measured
        if not isinstance(m, Measured):
            return m.text()
        span = f"{m.since:%b} {m.since.day} – {m.until:%b} {m.until.day}"
        low, high = self.shown(m.low), self.shown(m.high)
        spread = f"every day {low}" if low == high else f"daily {low} – {high}"
        return f"{m.days} days ({span}), {m.samples:,} samples, {spread}"


def _round(value: float) -> float:
    """Three significant figures: a measurement is not more exact than that."""
    if value == 0:
        return 0.0
    magnitude = abs(value)
    places = 2 if magnitude < 10 else (1 if magnitude < 100 else 0)
    return round(value, places)


@dataclass(frozen=True)
class Reality:
    plan: Plan
    rows: tuple[Assumption, ...]
    peak: Measured | Shortfall  # peak hour over the daily mean, of the requests metric
    latest: Mapping[str, float]

    @property
    def tolerance(self) -> float:
        return float(self.plan.reality.tolerance_pct)

    def off(self) -> list[Assumption]:
        return [row for row in self.rows if row.off(self.tolerance)]

    def row(self, key: str) -> Assumption | None:
        return next((r for r in self.rows if r.key == key), None)

    def measured(self, key: str) -> float | None:
        found = self.row(key)
        return found.value if found else None

    @property
    def peak_ratio(self) -> float | None:
        return self.peak.value if isinstance(self.peak, Measured) else None


def _mean(rows: Sequence[Mapping[str, HourStat]], metric: str) -> float:
    return statistics.fmean(r[metric].mean for r in rows)


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom > 0 else None


def _database_row(
    plan: Plan,
    hours: Hours,
    ratio: Callable[[Sequence[Mapping[str, HourStat]]], float | None],
    storage: StorageFormula,
) -> tuple[str, str, str, float, Measured | Shortfall]:
    """The database against the plan's size at today's users: the measured ratio to the
    plan's size, day by day, times the plan's size now."""
    m = plan.reality.metrics
    users = users_metric(plan)
    found = daily(hours, [m.database, users], ratio)
    now_users = latest_mean(hours, users) or float(plan.baseline.users)
    plan_db = float(database_gb_for(storage, max(1, round(now_users))))
    if isinstance(found, Measured):
        found = Measured(
            found.value * plan_db,
            found.days,
            found.samples,
            found.low * plan_db,
            found.high * plan_db,
            found.since,
            found.until,
        )
    return ("database_size", "Database size (at today's users)", "GB", plan_db, found)


def assess(plan: Plan, hours: Hours) -> Reality:
    """Every derivation over `hours` (per metric, oldest first), with its effects."""
    m = plan.reality.metrics
    users = users_metric(plan)
    compute = plan.formulas.compute
    storage = plan.formulas.storage
    efficiency = float(compute.efficiency) if compute is not None else 1.0
    vcpus = float(plan.reality.vcpus_per_container)
    jobs = jobs_share(plan)

    def per_user_day(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        return _ratio(_mean(rows, m.requests) * 86400, _mean(rows, users))

    def demand_ms(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        # Utilisation law: busy vCPU-seconds a second / requests a second = CPU s a request.
        busy = sum(r[m.cpu].mean / 100 * vcpus * r[m.containers].mean for r in rows)
        return _ratio(busy * 1000, sum(r[m.requests].mean for r in rows))

    def per_vcpu(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        ms = demand_ms(rows)
        return efficiency * 1000 / ms if ms else None

    def response_ms(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        return _mean(rows, m.mean_response)

    def per_container(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        return statistics.fmean(
            (r[m.connections].mean - jobs) / r[m.containers].mean
            for r in rows
            if r[m.containers].mean > 0
        )

    def files_mb(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        return _ratio((_mean(rows, m.storage) - _mean(rows, m.database)) * 1000, _mean(rows, users))

    def database_ratio(rows: Sequence[Mapping[str, HourStat]]) -> float | None:
        if storage is None:
            return None
        expected = float(database_gb_for(storage, max(1, round(_mean(rows, users)))))
        return _ratio(_mean(rows, m.database), expected)

    # A row only for what the plan states: a team's document may leave a formula out.
    measured: list[tuple[str, str, str, float, Measured | Shortfall]] = []
    if plan.baseline.requests_per_day > 0:
        measured.append(
            (
                "requests_per_user",
                f"Requests per {plan.growth_unit} a day",
                "requests",
                plan.baseline.requests_per_day / plan.baseline.users,
                daily(hours, [m.requests, users], per_user_day),
            )
        )
    if compute is not None:
        plan_ms = float(compute.avg_response_seconds) * 1000
        busy = [m.cpu, m.containers, m.requests]
        measured += [
            (
                "service_demand",
                "Service demand per request (CPU)",
                "ms",
                plan_ms,
                daily(hours, busy, demand_ms),
            ),
            (
                "rps_per_vcpu",
                f"Requests a second per vCPU (at {efficiency * 100:.0f}% efficiency)",
                "req/s",
                efficiency * 1000 / plan_ms,
                daily(hours, busy, per_vcpu),
            ),
            (
                "mean_response",
                "Average response time",
                "ms",
                plan_ms,
                daily(hours, [m.mean_response], response_ms),
            ),
        ]
    if plan.formulas.connections is not None:
        measured.append(
            (
                "connections_per_container",
                "Connections per API container",
                "connections",
                float(plan.formulas.connections.pool_per_container),
                daily(hours, [m.connections, m.containers], per_container),
            )
        )
    if storage is not None:
        measured.append(
            (
                "storage_per_user",
                f"Storage per {plan.growth_unit} (files)",
                "MB",
                float(storage.files_per_user * storage.avg_file_mb),
                daily(hours, [m.storage, m.database, users], files_mb),
            )
        )
        measured.append(_database_row(plan, hours, database_ratio, storage))
    growth = growth_gb_month(plan)
    if growth is not None:
        measured.append(
            (
                "growth_month",
                "Storage growth a month",
                "GB",
                growth,
                growth_per_month(hours, m.storage),
            )
        )
    latest = {name: s[-1].mean for name, s in hours.items() if s}
    peak = peak_to_mean(hours, m.requests)
    ratio = peak.value if isinstance(peak, Measured) else None
    rows = tuple(
        Assumption(
            key,
            label,
            unit,
            figure,
            found,
            effects_for(plan, key, figure, found.value, latest, ratio)
            if isinstance(found, Measured)
            else (),
        )
        for key, label, unit, figure, found in measured
    )
    return Reality(plan, rows, peak, latest)
