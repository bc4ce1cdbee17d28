"""`/capacity whatif users N | rps N | containers N | price P`: a load sized with the
measured parameters, and the limit that breaks first."""

from __future__ import annotations

from decimal import Decimal

from bot.commands.args import extra_words, parse_count, parse_decimal
from bot.commands.missing import missing_section
from bot.commands.reality import gather_hours
from bot.commands.router import Command, CommandError, Context
from bot.commands.tiers import answering_store, live_plan
from bot.domain.costs import break_even, tier_label
from bot.domain.money import fmt_money, fmt_number
from bot.domain.plan import Plan
from bot.domain.reality import Reality, assess
from bot.domain.reality_effects import about
from bot.domain.values import Prose, Typed, Value, fmt_amount, fmt_count, fmt_value
from bot.domain.whatif import Margin, Parameters, Sizing, parameters, size
from bot.reality.queue_model import fmt_ms, model_from_hours
from bot.reply import Facts, Part, Reply, Table, Text

__all__ = ["COMMANDS", "limits_table", "sizing_facts"]

EXAMPLE = "whatif users 5000"
KINDS = ("users", "rps", "containers", "price")


def _n(value: float) -> str:
    return fmt_number(Decimal(str(round(value, 2 if value < 10 else (1 if value < 100 else 0)))))


def _where(p: Parameters, key: str) -> str:
    return "measured" if key in p.measured else "plan"


def _plural(count: float, word: str) -> str:
    return f"{_n(count)} {word}{'' if count == 1 else 's'}"


def _per_unit(plan: Plan, cost: Decimal) -> str:
    """`$0.0950/mo` a user, `$0.0225` an order (a unit of use has no month)."""
    period = f"/{plan.unit_period}" if plan.unit_period else ""
    return f"{fmt_money(cost.quantize(Decimal('0.0001')))}{period}"


def sizing_facts(
    s: Sizing, p: Parameters, max_connections: int | None, plan: Plan
) -> list[tuple[str, Value]]:
    peak = f"× {p.peak:.2f} at the peak hour ({_where(p, 'peak')})"
    p95 = "unbounded: more than the servers can take" if s.p95_ms is None else f"{_n(s.p95_ms)}ms"
    pooler = "a pooler is needed" if s.pooler else "no pooler needed"
    return [
        (plan.unit_plural.capitalize(), _n(s.users)),
        ("Load", f"{_n(s.mean_rps)} req/s mean, {_n(s.peak_rps)} req/s {peak}"),
        (
            "Compute",
            f"{_plural(s.vcpus, 'vCPU')} = {_plural(s.containers_needed, 'container')}"
            " at the plan's efficiency",
        ),
        ("CPU at the peak", f"{_n(s.cpu_pct)}% on {_plural(s.containers, 'container')}"),
        (
            "Connections",
            f"{_n(s.connections)} of {max_connections} on"
            f" {_plural(s.scaled, 'container')}: {pooler}"
            if max_connections is not None
            else "the plan has no connections formula",
        ),
        ("Storage", f"{_n(s.storage_gb)}GB"),
        ("p95 at the peak", p95),
        ("Tier", f"Tier {s.tier}: {fmt_money(s.cost)}/mo"),
        (
            f"Cost per {plan.growth_unit}",
            _per_unit(plan, s.cost_per_user),
        ),
        (
            "Break-even",
            f"{fmt_number(s.break_even)} paying {plan.pricing.plural}"
            if s.break_even is not None and plan.pricing is not None
            else "the plan has no pricing",
        ),
    ]


def _margin_text(m: Margin) -> str:
    if m.value is None:
        return "unbounded ⚠️"
    pct = m.margin_pct
    return f"{pct:+.0f}%" + (" ⚠️" if pct < 0 else "")


def _reached(m: Margin, units: str) -> str:
    return "never" if m.breaks_at is None else f"about {about(m.breaks_at)} {units}"


def limits_table(s: Sizing, units: str = "users") -> Table:
    ordered = sorted(
        s.margins, key=lambda m: (m.breaks_at is None, m.breaks_at or 0.0, m.margin_pct)
    )
    rows: tuple[tuple[Value, ...], ...] = tuple(
        (
            m.limit.name,
            m.limit.source,
            "unbounded"
            if m.value is None
            else fmt_value(Decimal(str(round(m.value, 1))), m.limit.unit),
            _margin_text(m),
            _reached(m, units),
        )
        for m in ordered
    )
    return Table(
        title="Limits, in the order the load reaches them",
        columns=("Limit", "Plan's limit", "Would be", "Margin", "Reached at"),
        rows=rows,
        numeric=(False, False, True, True, False),
    )


def _parse(args: list[str]) -> tuple[str, Decimal]:
    if not args:
        raise CommandError(
            "Say what to change: `users N`, `rps N`, `containers N` or `price P`.", EXAMPLE
        )
    kind = args[0].lower()
    if kind not in KINDS:
        raise CommandError(
            f"`{args[0][:30]}` is not something whatif changes; use users, rps, containers"
            " or price.",
            EXAMPLE,
        )
    example = {"users": EXAMPLE, "rps": "whatif rps 40", "containers": "whatif containers 4"}.get(
        kind, "whatif price 30"
    )
    if len(args) == 1:
        raise CommandError(f"Give a number after `{kind}`.", example)
    if len(args) > 2:
        raise extra_words("whatif", args[2:], f"one number after `{kind}`", example, after=args[1])
    if kind in ("users", "containers"):
        what = "the user count" if kind == "users" else "the container count"
        return kind, Decimal(parse_count(args[1], what, example))
    if kind == "price":
        return kind, parse_decimal(args[1], "the price", example, money=True)
    return kind, parse_decimal(args[1].removesuffix("rps"), "the request rate", example)


def _price_reply(reality: Reality, p: Parameters, price: Decimal) -> Reply:
    plan = reality.plan
    pricing = plan.pricing_or(price)
    rows: list[tuple[Value, ...]] = [
        (
            tier_label(plan, b.tier),
            f"{fmt_amount(b.cost_span)}/mo",
            f"{fmt_count(b.customers_span)} {pricing.plural}",
            f"{fmt_count(b.healthy_span)} {pricing.plural}",
        )
        for b in break_even(plan, price)
    ]
    now = size(plan, p)
    facts: list[tuple[str, Value]] = [
        ("Price", pricing.per_customer(fmt_money(price))),
        (
            "Today",
            f"{_n(now.users)} {plan.unit_plural} on Tier {now.tier} ({fmt_money(now.cost)}/mo)",
        ),
        (
            f"Cost per {plan.growth_unit}",
            _per_unit(plan, now.cost_per_user),
        ),
    ]
    return Reply(
        title=f"What if the price were {fmt_money(price)}",
        parts=(
            Facts(tuple(facts)),
            Table(
                title="Break-even",
                columns=(
                    "Tier",
                    "Cost",
                    "Break-even",
                    f"Healthy ({pricing.healthy_multiple}x)",
                ),
                rows=tuple(rows),
            ),
        ),
    )


def whatif(args: list[str], ctx: Context) -> Reply:
    kind, number = _parse(args)
    plan = live_plan(ctx)
    store = answering_store(ctx)
    hours = gather_hours(store, plan, ctx.now) if store is not None else {}
    reality = assess(plan, hours)
    p = parameters(reality)
    if kind == "price":
        return _price_reply(reality, p, number)
    if plan.formulas.compute is None:
        return missing_section("compute")
    value = float(number)
    model = model_from_hours(plan, hours if store is not None else None, ctx.now)
    sizing = size(
        plan,
        p,
        users=value if kind == "users" else None,
        rps=value if kind == "rps" else None,
        containers=value if kind == "containers" else None,
        p95_model=model.p95_model(plan),
    )
    first = sizing.first
    connections = plan.formulas.connections
    facts = sizing_facts(sizing, p, connections.max_connections if connections else None, plan)
    parts: list[Part] = [Facts(tuple(facts))]
    if first is not None:
        state = "already past it" if first.broken else f"margin {_margin_text(first)}"
        parts.append(
            Text(
                f"**First to break: {first.limit.name}** (`{first.limit.source}`), reached at"
                f" {_reached(first, plan.unit_plural)}; here {state}."
            )
        )
        parts.append(limits_table(sizing, plan.unit_plural))
    total = len(reality.rows) + 1
    notes: list[str] = [
        (
            f"All {total} figures are measured (`reality` lists them)."
            if len(p.measured) == total
            else f"{len(p.measured)} of {total} figures are measured (`reality` lists them);"
            " the rest are the plan's."
        )
        if p.measured
        else "Nothing measured yet: these are the plan's own figures.",
        "CPU and p95 are on the containers running today (or the count asked for),"
        " connections on the containers the load needs; cost grows with the users from"
        " the measured cost.",
        "p95 from the queue model. "
        + model.source_line(
            f"mean {fmt_ms(p.demand_s)}, the service demand a request"
            f" ({_where(p, 'service_demand')})"
        ),
        model.error_line(),
        Prose("`", Typed("reality"), "` shows each measured figure against the plan."),
    ]
    caveat = model.caveat(sizing.peak_rps)
    if caveat:
        notes.insert(0, caveat)
    label = {
        "users": f"{fmt_number(int(value))} {plan.unit_plural}",
        "rps": f"{_n(value)} req/s",
        "containers": _plural(value, "container"),
    }[kind]
    return Reply(title=f"What if: {label}", parts=tuple(parts), notes=tuple(notes))


COMMANDS = (
    Command(
        "whatif",
        "whatif users N | rps N | containers N | price P",
        EXAMPLE,
        "Load, containers, connections, storage, p95, tier and cost for a what-if, with the"
        " measured figures, and the limit that breaks first",
        whatif,
        reads=frozenset({"clock", "store"}),
    ),
)
