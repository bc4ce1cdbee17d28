"""What a measured figure changes: the plan's own formulas, recomputed with it.

Pure. Each effect holds every other figure at the plan's value, so it shows what this one
assumption alone moves: the next tier's load, vCPUs, connections, storage, and the user
count at which the plan's storage trigger is reached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.money import fmt_number
from bot.domain.plan import Plan
from bot.domain.sizing import database_gb_for
from bot.domain.values import fmt_value

__all__ = [
    "StorageLimit",
    "about",
    "effects_for",
    "jobs_share",
    "storage_gb",
    "storage_limit",
    "target_tier",
    "users_at_storage",
]


def jobs_share(plan: Plan) -> int:
    """The background jobs' connections, as the plan states them (none without a formula)."""
    c = plan.formulas.connections
    return c.workers * c.connections_per_worker if c is not None else 0


def about(value: float) -> str:
    """`11,800`: a forecast user count, to three significant figures."""
    if value <= 0 or not math.isfinite(value):
        return fmt_number(0)
    digits = max(0, math.floor(math.log10(value)) - 2)
    return fmt_number(int(round(value / 10**digits) * 10**digits))


def target_tier(plan: Plan) -> int:
    """The tier the effects speak of: the next one above the built tier (or the top)."""
    return min(plan.built_tier + 1, plan.tier_count)


def storage_gb(plan: Plan, users: float, files_mb: float, db_factor: float = 1.0) -> float:
    """users x files a user (MB) / 1000 + the database at that scale (the plan's points)."""
    formula = plan.formulas.storage
    db = float(database_gb_for(formula, max(1, round(users)))) if formula is not None else 0.0
    return users * files_mb / 1000 + db * db_factor


@dataclass(frozen=True)
class StorageLimit:
    text: str  # `Storage > 40GB`, as the plan writes it
    gb: float


def storage_limit(plan: Plan) -> StorageLimit | None:
    """The first storage trigger from the next tier up (`Storage > 40GB`)."""
    metric = plan.reality.metrics.storage
    for tier in plan.tiers[plan.built_tier :]:
        for trigger in tier.triggers:
            rule = trigger.rule
            if rule is not None and rule.metric == metric and rule.op in (">", ">="):
                return StorageLimit(trigger.text, rule.value)
    return None


def users_at_storage(plan: Plan, limit_gb: float, files_mb: float, db_factor: float = 1.0) -> float:
    """The user count at which storage reaches `limit_gb` (storage grows with users)."""
    low, high = 0.0, 1.0
    while storage_gb(plan, high, files_mb, db_factor) < limit_gb and high < 1e12:
        low, high = high, high * 2
    for _ in range(60):
        mid = (low + high) / 2
        if storage_gb(plan, mid, files_mb, db_factor) < limit_gb:
            low = mid
        else:
            high = mid
    return high


def _gb(value: float) -> str:
    return fmt_value(Decimal(str(round(value, 1 if value < 100 else 0))), "GB")


def _vcpus(count: int) -> str:
    return f"{count} vCPU" if count == 1 else f"{count} vCPUs"


def _n(value: float) -> str:
    return fmt_number(Decimal(str(round(value, 2))))


def effects_for(
    plan: Plan,
    key: str,
    planned: float,
    measured: float,
    latest: Mapping[str, float],
    peak: float | None,
) -> tuple[str, ...]:
    """What `measured` in place of `planned` changes, in words."""
    number = target_tier(plan)
    users = plan.tier(number).users
    tier = f"Tier {number}"
    compute = plan.formulas.compute
    efficiency = float(compute.efficiency) if compute is not None else 1.0
    per_user = plan.baseline.requests_per_day / plan.baseline.users
    ratio = peak or 1.0
    peak_rps = users * per_user / 86400 * ratio
    at_peak = f"{tier}'s {'peak' if peak else 'mean'} of {_n(peak_rps)} req/s"
    if key == "requests_per_user":
        return (
            f"{tier} ({fmt_number(users)} users): {about(users * planned)}"
            f" → about {about(users * measured)} requests a day",
        )
    if key in ("service_demand", "rps_per_vcpu"):
        plan_rate = efficiency / (planned / 1000) if key == "service_demand" else planned
        real_rate = efficiency / (measured / 1000) if key == "service_demand" else measured
        first = f"one vCPU serves {_n(plan_rate)} → {_n(real_rate)} req/s"
        need = (
            f"{at_peak} needs {math.ceil(peak_rps / plan_rate)}"
            f" → {_vcpus(math.ceil(peak_rps / real_rate))}"
        )
        return (first, need) if key == "service_demand" else (need,)
    if key == "mean_response":
        return (
            f"requests in flight at {at_peak} (Little's law): {_n(peak_rps * planned / 1000)}"
            f" → {_n(peak_rps * measured / 1000)}",
        )
    c = plan.formulas.connections
    if key == "connections_per_container" and c is not None:
        jobs = jobs_share(plan)
        fits_plan = max(0, math.floor((c.max_connections - jobs) / planned))
        fits_real = max(0, math.floor((c.max_connections - jobs) / measured)) if measured > 0 else 0
        fits = f"{fits_real}, not {fits_plan}," if fits_real != fits_plan else f"{fits_real}"
        return (
            f"the {c.max_connections}-connection limit fits {fits} API containers"
            f" (jobs keep {jobs}); a pooler is needed from {fits_real + 1}",
        )
    if key == "storage_per_user":
        found = [
            f"{tier} storage {_gb(storage_gb(plan, users, planned))}"
            f" → {_gb(storage_gb(plan, users, measured))}"
        ]
        limit = storage_limit(plan)
        if limit is not None:
            found.append(
                f"`{limit.text}` reached at about"
                f" {about(users_at_storage(plan, limit.gb, measured))} users,"
                f" not {about(users_at_storage(plan, limit.gb, planned))}"
            )
        return tuple(found)
    if key == "database_size":
        factor = measured / planned if planned > 0 else 1.0
        if plan.formulas.storage is None:
            return ()
        db = float(database_gb_for(plan.formulas.storage, users))
        return (
            f"{tier} database {_gb(db)} → {_gb(db * factor)} (the plan's sizes × {factor:.2f})",
        )
    if key == "growth_month":
        limit = storage_limit(plan)
        now = latest.get(plan.reality.metrics.storage)
        if limit is None or now is None or now >= limit.gb:
            return ()
        room = limit.gb - now
        months = f"in about {_n(room / measured)} months" if measured > 0 else "not at this rate"
        return (f"`{limit.text}` (now {_gb(now)}) {months}, not {_n(room / planned)}",)
    return ()
