"""What if: a load sized with the measured parameters (the plan's where none is measured).

Pure. The load at the peak hour (measured peak-to-mean), the vCPUs and containers it needs
at the plan's efficiency, the connections those containers hold and whether a pooler is
needed, storage, p95 (a `P95Model`: the queueing model plugs in here), the tier whose
budget covers it, cost per user and break-even, and the margin to every limit of the plan.

Where each limit is measured: CPU and p95 on the containers running today (or the count
asked for): what breaks if nobody scales; connections on the containers the load needs
(or the count asked for): what scaling out costs; storage at the users; the cost of the
tier for those users against the built tier's budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from bot.domain.costs import tier_costs, tier_for_users
from bot.domain.limits import Limit, plan_limits
from bot.domain.plan import Plan
from bot.domain.reality import Reality, users_metric
from bot.domain.reality_effects import jobs_share, storage_gb

__all__ = [
    "Margin",
    "P95Model",
    "Parameters",
    "Sizing",
    "parameters",
    "queue_p95",
    "size",
]

# arrival rate (req/s), service time (s), servers (vCPUs), today's p95 and utilisation
# (when measured) -> p95 in ms, or None when the load cannot be served (utilisation >= 1).
P95Model = Callable[[float, float, float, float | None, float | None], float | None]

# M/M/1: the response time is exponential with mean S / (1 - rho); its 95th percentile
# is ln(20) times that mean.
_LN20 = math.log(20)


def queue_p95(
    rps: float, service_s: float, servers: float, p95_now: float | None, rho_now: float | None
) -> float | None:
    """The stand-in until the queueing model lands: each vCPU an M/M/1 server; with a
    measured p95, today's p95 scaled by (1 - rho now) / (1 - rho)."""
    rho = rps * service_s / servers if servers > 0 else math.inf
    if rho >= 1:
        return None
    if p95_now is not None and rho_now is not None and rho_now < 1:
        return p95_now * (1 - rho_now) / (1 - rho)
    return _LN20 * service_s * 1000 / (1 - rho)


@dataclass(frozen=True)
class Parameters:
    """Each figure the sizing uses, measured where `reality` has it, else the plan's."""

    users_now: float | None
    requests_per_user: float
    demand_s: float
    peak: float
    connections_per_container: float
    files_mb: float
    db_factor: float
    containers_now: float | None
    cpu_now: float | None
    p95_now: float | None
    cost_now: float | None
    measured: frozenset[str]


def parameters(reality: Reality) -> Parameters:
    plan = reality.plan
    m = plan.reality.metrics

    def pick(key: str) -> float:
        value = reality.measured(key)
        row = reality.row(key)
        return value if value is not None else (row.plan if row else 0.0)

    db = reality.row("database_size")
    factor = db.value / db.plan if db is not None and db.value is not None and db.plan else 1.0
    measured = {r.key for r in reality.rows if r.value is not None}
    if reality.peak_ratio is not None:
        measured.add("peak")
    return Parameters(
        users_now=reality.latest.get(users_metric(plan)),
        requests_per_user=pick("requests_per_user"),
        demand_s=pick("service_demand") / 1000,
        peak=reality.peak_ratio or 1.0,
        connections_per_container=pick("connections_per_container"),
        files_mb=pick("storage_per_user"),
        db_factor=factor,
        containers_now=reality.latest.get(m.containers),
        cpu_now=reality.latest.get(m.cpu),
        p95_now=reality.latest.get(m.p95),
        cost_now=reality.latest.get(plan.cost_metric),
        measured=frozenset(measured),
    )


@dataclass(frozen=True)
class Margin:
    limit: Limit
    value: float | None  # None: cannot be served at all (p95 unbounded)
    # The user count at which this limit is reached as load grows (None: never).
    breaks_at: float | None = None

    @property
    def margin_pct(self) -> float:
        if self.value is None:
            return -math.inf
        return (self.limit.value - self.value) * 100 / self.limit.value

    @property
    def broken(self) -> bool:
        return self.margin_pct < 0


@dataclass(frozen=True)
class Sizing:
    users: float
    mean_rps: float
    peak_rps: float
    vcpus: int
    containers_needed: int
    containers: float  # running: CPU and p95 are measured on these
    scaled: float  # what the load needs, at least those running: connections are on these
    cpu_pct: float
    connections: float
    pooler: bool
    storage_gb: float
    p95_ms: float | None
    tier: int
    cost: Decimal
    cost_per_user: Decimal
    break_even: int | None  # None: the plan has no pricing
    margins: tuple[Margin, ...]

    @property
    def first(self) -> Margin | None:
        """The limit reached at the fewest users as load grows: the one that breaks first."""
        return min(
            self.margins,
            key=lambda m: (m.breaks_at is None, m.breaks_at or 0.0, m.margin_pct),
            default=None,
        )


@dataclass(frozen=True)
class _Load:
    users: float
    mean_rps: float
    peak_rps: float
    vcpus: int
    needed: int
    running: float
    scaled: float
    values: dict[str, float | None]


def _load(
    plan: Plan, p: Parameters, users: float, containers: float | None, p95_model: P95Model
) -> _Load:
    mean_rps = users * p.requests_per_user / 86400
    peak_rps = mean_rps * p.peak
    vcpc = float(plan.reality.vcpus_per_container)
    compute = plan.formulas.compute
    # Without a compute formula (sizing refuses first; `whatif price` sizes only the cost),
    # vCPUs are counted fully busy, and a request with no service demand costs no CPU.
    efficiency = float(compute.efficiency) if compute is not None else 1.0
    per_vcpu = efficiency / p.demand_s if p.demand_s > 0 else math.inf
    vcpus = max(1, math.ceil(peak_rps / per_vcpu))
    needed = max(1, math.ceil(vcpus / vcpc))
    running = containers if containers is not None else (p.containers_now or 1.0)
    scaled = containers if containers is not None else max(float(needed), running)
    busy = peak_rps * p.demand_s / (running * vcpc) if running > 0 else math.inf
    rho_now = p.cpu_now / 100 if p.cpu_now is not None else None
    if p.cost_now is not None and p.users_now:
        cost = p.cost_now * users / p.users_now  # the measured cost, growing with the users
    else:
        cost = float(tier_costs(plan)[tier_for_users(plan, max(1, math.ceil(users)))].total)
    values: dict[str, float | None] = {
        "cpu": busy * 100,
        "connections": scaled * p.connections_per_container + jobs_share(plan),
        "storage": storage_gb(plan, users, p.files_mb, p.db_factor),
        "p95": p95_model(peak_rps, p.demand_s, running * vcpc, p.p95_now, rho_now),
        "budget": cost,
    }
    return _Load(users, mean_rps, peak_rps, vcpus, needed, running, scaled, values)


def _over(limit: Limit, value: float | None) -> bool:
    return value is None or value > limit.value


def _breaks_at(
    plan: Plan, p: Parameters, limit: Limit, containers: float | None, model: P95Model
) -> float | None:
    """The fewest users at which `limit` is passed (every value grows with the users)."""
    high = 1e9
    if not _over(limit, _load(plan, p, high, containers, model).values[limit.key]):
        return None
    low = 0.0
    for _ in range(80):
        mid = (low + high) / 2
        if _over(limit, _load(plan, p, mid, containers, model).values[limit.key]):
            high = mid
        else:
            low = mid
    return high


def size(
    plan: Plan,
    p: Parameters,
    *,
    users: float | None = None,
    rps: float | None = None,
    containers: float | None = None,
    p95_model: P95Model = queue_p95,
) -> Sizing:
    """The load of `users` (or a mean of `rps`, or today's users), with CPU and p95 on
    `containers` (or today's) and connections on what the load needs."""
    if users is None:
        users = (rps * 86400 / p.requests_per_user) if rps is not None else None
    if users is None:
        users = p.users_now or float(plan.baseline.users)
    load = _load(plan, p, users, containers, p95_model)
    tier = tier_for_users(plan, max(1, math.ceil(users)))
    cost = tier_costs(plan)[tier].total
    per_user = cost / Decimal(str(max(users, 1.0)))
    pricing = plan.pricing
    customers = (
        int((cost / pricing.price).to_integral_value(rounding=ROUND_CEILING))
        if pricing is not None
        else None
    )
    margins = tuple(
        Margin(limit, load.values[limit.key], _breaks_at(plan, p, limit, containers, p95_model))
        for limit in plan_limits(plan)
    )
    connections = load.values["connections"] or 0.0
    c = plan.formulas.connections
    return Sizing(
        users=users,
        mean_rps=load.mean_rps,
        peak_rps=load.peak_rps,
        vcpus=load.vcpus,
        containers_needed=load.needed,
        containers=load.running,
        scaled=load.scaled,
        cpu_pct=load.values["cpu"] or 0.0,
        connections=connections,
        pooler=c is not None and connections > c.max_connections,
        storage_gb=load.values["storage"] or 0.0,
        p95_ms=load.values["p95"],
        tier=tier,
        cost=cost,
        cost_per_user=per_user,
        break_even=customers,
        margins=margins,
    )
