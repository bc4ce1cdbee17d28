"""Commands over the sizing formulas: compute, connections, storage."""

from __future__ import annotations

from decimal import Decimal

from bot.commands.args import extra_words, parse_count, parse_decimal
from bot.commands.compute_model import model_parts
from bot.commands.missing import missing_section
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context
from bot.domain.money import fmt_number
from bot.domain.sizing import ComputeEstimate, compute_for, connections_for, storage_for
from bot.reply import Facts, Reply, Section, Text

__all__ = ["COMMANDS"]


def _need(estimate: ComputeEstimate) -> str:
    """`Need 28.57 vCPUs`: the one exact figure, to two places (100 / 3.5)."""
    exact = estimate.vcpus_exact
    places = Decimal("0.01") if exact >= 1 else Decimal("0.001")
    shown = fmt_number(exact.quantize(places).normalize())
    return f"Need {shown} vCPU{'' if exact == 1 else 's'}"


def compute(args: list[str], ctx: Context) -> Reply:
    if len(args) > 1:
        raise extra_words("compute", args[1:], "one request rate", "compute 100", after=args[0])
    if not args:
        raise CommandError("Give a request rate in requests per second.", "compute 100")
    rps = parse_decimal(args[0].removesuffix("rps"), "the request rate", "compute 100")
    formula = ctx.plan.formulas.compute
    if formula is None:
        return missing_section("compute")
    estimate = compute_for(formula, rps)
    options = " or ".join(
        f"{fmt_number(count)} container{'s' if count != 1 else ''} ({size} vCPU each)"
        for size, count in estimate.containers
    )
    model, notes = model_parts(ctx, rps, estimate)
    # The plan's own "~30" is the plan's: quoted, labelled, never mixed with our figures.
    quoted = (
        (Section("The plan's example (as written)", (formula.example,)),) if formula.example else ()
    )
    return Reply(
        title=f"Compute for {fmt_number(rps)} req/sec",
        parts=(
            Text(f"{_need(estimate)}; rounded up to whole containers → {options}"),
            Facts(pairs=(("Per vCPU", f"{fmt_number(estimate.per_vcpu)} req/sec"),)),
            Section(
                "Formula",
                (
                    "Requests/sec = (vCPU × efficiency_factor) / avg_response_time",
                    f"1 vCPU × {fmt_number(formula.efficiency)} / "
                    f"{fmt_number(formula.avg_response_seconds)}s = "
                    f"{fmt_number(estimate.per_vcpu)} req/sec per vCPU",
                ),
            ),
            *quoted,
            *model,
        ),
        notes=notes,
    )


def connections(args: list[str], ctx: Context) -> Reply:
    if len(args) > 2:
        raise extra_words(
            "connections", args[2:], "a container count and a worker count", "connections 5 3"
        )
    if not args:
        raise CommandError(
            "Give the number of API containers, and optionally workers.", "connections 5"
        )
    containers = parse_count(args[0], "the container count", "connections 5")
    workers = None
    if len(args) == 2:
        value = parse_decimal(args[1], "the worker count", "connections 5 3", allow_zero=True)
        if value != value.to_integral_value():
            raise CommandError("The worker count is a whole number.", "connections 5 3")
        workers = int(value)
    formula = ctx.plan.formulas.connections
    if formula is None:
        return missing_section("connections")
    estimate = connections_for(formula, containers, workers)
    line = (
        f"{fmt_number(containers)} × {estimate.pool_per_container} + "
        f"{estimate.workers} workers × {estimate.per_worker} = "
        f"{fmt_number(estimate.total)} connections"
    )
    if estimate.needs_pooler:
        verdict = (
            f"Over the {estimate.max_connections} connection limit: "
            f"need a connection pooler ({formula.pooler}) → "
            f"{fmt_number(estimate.from_containers)} backend connections from the "
            f"API containers"
        )
    elif estimate.near_limit:
        verdict = (
            f"Within the {estimate.max_connections} limit but above "
            f"{estimate.warn_at} ({fmt_number(formula.warn_fraction * 100)}%): "
            f"plan a read replica or {formula.pooler}"
        )
    else:
        verdict = f"Fits within the {estimate.max_connections} connection limit"
    return Reply(
        title=f"Database connections for {fmt_number(containers)} containers",
        parts=(
            Text(line),
            Text(verdict),
            Facts(
                pairs=(
                    ("From API containers", fmt_number(estimate.from_containers)),
                    ("From background jobs", fmt_number(estimate.from_workers)),
                    ("Limit", fmt_number(estimate.max_connections)),
                    ("Pooler needed", "yes" if estimate.needs_pooler else "no"),
                )
            ),
        ),
    )


def storage(args: list[str], ctx: Context) -> Reply:
    if len(args) > 1:
        raise extra_words("storage", args[1:], "one user count", "storage 1000", after=args[0])
    if not args:
        raise CommandError("Give a number of users.", "storage 1000")
    users = parse_count(args[0], "the user count", "storage 1000")
    formula = ctx.plan.formulas.storage
    if formula is None:
        return missing_section("storage")
    estimate = storage_for(formula, users)
    line = (
        f"{fmt_number(users)} × {fmt_number(formula.files_per_user)} × "
        f"{fmt_number(formula.avg_file_mb)}MB = {fmt_number(round(estimate.files_gb, 1))}GB "
        f"files + {fmt_number(round(estimate.database_gb, 1))}GB DB = "
        f"{fmt_number(round(estimate.total_gb, 1))}GB total"
    )
    notes = (f"Growth rate: {formula.growth_note}",) if formula.growth_note else ()
    return Reply(title=f"Storage for {fmt_number(users)} users", parts=(Text(line),), notes=notes)


COMMANDS = (
    Command(
        "compute",
        "compute RPS",
        "compute 100",
        "vCPUs and containers for a request rate, and the p95 the queue model expects",
        compute,
        # The model is fitted to the team's measurements and back-tested up to now.
        reads=frozenset({"clock", "store"}),
    ),
    Command(
        "connections",
        "connections CONTAINERS [WORKERS]",
        "connections 5",
        "Database connections needed, and whether a pooler is required",
        connections,
        reads=PLAN_ONLY,
    ),
    Command(
        "storage",
        "storage USERS",
        "storage 1000",
        "Files + database storage for USERS",
        storage,
        reads=PLAN_ONLY,
    ),
)
