"""Commands that answer from the plan alone: tiers, costs, break-even, targets, runbooks."""

from __future__ import annotations

from bot.commands.args import (
    extra_words,
    parse_decimal,
    parse_position,
    parse_tier,
    parse_users,
)
from bot.commands.baseline import baseline
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context
from bot.domain.costs import break_even, cost_for_users, cost_per_user, tier_costs, tier_label
from bot.domain.money import fmt_money, fmt_number, fmt_percent
from bot.domain.story import REACHED, SIZED, reached_text, sized_text
from bot.domain.tiers import relative_threshold
from bot.reply import Facts, Prose, Reply, Section, Table, Text, Typed

__all__ = ["COMMANDS"]


def _no_args(name: str, args: list[str]) -> None:
    if args:
        raise extra_words(name, args, "nothing after it", name)


def tiers(args: list[str], ctx: Context) -> Reply:
    _no_args("tiers", args)
    plan = ctx.plan
    rows = []
    for cost in tier_costs(plan):
        per_user = cost_per_user(cost.total, cost.users)
        change = (
            "—"
            if cost.number == 0
            else (
                f"{fmt_money(cost.change, sign=True)}"
                + (
                    f" ({fmt_percent(cost.change_percent, plan.percent_rounding, sign=True)})"
                    if cost.change_percent is not None
                    else ""
                )
            )
        )
        rows.append(
            (
                str(cost.number),
                cost.name,
                fmt_number(cost.users),
                f"{fmt_money(cost.total)}/mo",
                change,
                per_user.monthly_text(),
            )
        )
    return Reply(
        title=plan.titled("Growth tiers"),
        parts=(
            Table(
                columns=("Tier", "Name", "Users", "Monthly cost", "Change", "Cost per user"),
                rows=tuple(rows),
                numeric=(True, False, True, True, True, True),
            ),
        ),
        notes=(Prose("`", Typed("tier N"), "` shows one tier in full."),),
    )


def tier(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if not args:
        raise CommandError(f"Say which tier: 0 (the baseline) to {plan.tier_count}.", "tier 2")
    if len(args) > 1:
        raise extra_words("tier", args[1:], "one tier number", "tier 2")
    number = parse_tier(args[0], plan.tier_count, "tier 2")
    if number == 0:
        return baseline(plan)
    info = plan.tier(number)
    cost = tier_costs(plan)[number]
    previous = "Current" if number == 1 else f"Tier {number - 1}"
    from_users = plan.tiers[number - 2].users if number > 1 else plan.baseline.users
    parts: list[Text | Facts | Table | Section] = [
        Text(f"**Total new cost**: {cost.summary()}"),
        Facts(
            pairs=(
                (
                    "Users",
                    f"{fmt_number(from_users)} → {fmt_number(info.users)}",
                ),
                ("Timeline", info.timeline or "not set"),
                ("Cost per user", cost_per_user(cost.total, info.users).monthly_text()),
            )
        ),
    ]
    if info.triggers:
        parts.append(Section("Triggers", tuple(t.text for t in info.triggers)))
    if info.changes:
        parts.append(
            Table(
                title="Infrastructure changes",
                columns=("Component", previous, f"Tier {number}", "Cost change"),
                rows=tuple(
                    (c.component, c.current, c.new, f"{fmt_money(c.cost_change, sign=True)}/mo")
                    for c in info.changes
                ),
                numeric=(False, False, False, True),
            )
        )
    for heading, items in (
        ("Capacity", info.capacity),
        ("Architecture changes", info.architecture_changes),
        ("Optimizations needed", info.optimizations),
        ("Bottlenecks", info.bottlenecks),
    ):
        if items:
            parts.append(Section(heading, items))
    return Reply(title=tier_label(plan, number), parts=tuple(parts))


def cost(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    users = parse_users("cost", args[0], "cost 5000") if args else 0
    if len(args) > 1:
        raise extra_words("cost", args[1:], "one user count at most", "cost 5000", after=args[0])
    if args:
        found, per_user = cost_for_users(plan, users)
        largest = fmt_number(plan.tiers[-1].users)
        beyond = f"{fmt_number(users)} users is beyond the plan's largest tier ({largest})"
        notes = (f"{beyond}; the figure uses it anyway.",) if users > plan.tiers[-1].users else ()
        return Reply(
            title=f"Cost for {fmt_number(users)} users",
            parts=(
                Facts(
                    pairs=(
                        (SIZED, sized_text(plan, users)),
                        (REACHED, reached_text(plan, users)),
                        ("Monthly cost", f"{fmt_money(found.total)}/mo"),
                        ("Cost per user", per_user.monthly_text()),
                        ("Per user per year", per_user.yearly_text()),
                    )
                ),
            ),
            notes=notes,
        )
    rows = []
    for row in tier_costs(plan)[1:]:
        per_user = cost_per_user(row.total, row.users)
        rows.append(
            (
                f"Tier {row.number} ({fmt_number(row.users)} users)",
                f"{fmt_money(row.total)}/mo",
                per_user.monthly_text(),
                per_user.yearly_text(),
            )
        )
    return Reply(
        title="Cost per user",
        parts=(
            Table(
                columns=("Tier", "Total cost", "Cost per user", "Per year"),
                rows=tuple(rows),
                numeric=(False, True, True, True),
            ),
            Text("Cost per user falls as we scale (economies of scale)."),
        ),
        notes=(Prose("`", Typed("cost 5000"), "` prices any user count."),),
    )


def breakeven(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    pricing = plan.pricing
    if len(args) > 1:
        raise extra_words("breakeven", args[1:], "one price at most", "breakeven 30", after=args[0])
    price = (
        parse_decimal(args[0], "the price", "breakeven 30", money=True) if args else pricing.price
    )
    rows = []
    for row in break_even(plan, price):
        rows.append(
            (
                f"Tier {row.tier}",
                f"{fmt_money(row.cost)}/mo",
                f"{fmt_number(row.customers)} {pricing.plural}",
                f"{fmt_number(row.healthy_customers)} {pricing.plural}",
                f"{fmt_money(row.healthy_revenue)}/{pricing.period}",
                fmt_percent(row.healthy_margin_percent),
            )
        )
    multiple = fmt_number(pricing.healthy_multiple)
    return Reply(
        title=f"Break-even at {fmt_money(price)}/{pricing.period} per {pricing.customer}",
        parts=(
            Table(
                columns=(
                    "Tier",
                    "Cost",
                    "Break-even",
                    f"Healthy ({multiple}x cost)",
                    "Revenue",
                    "Margin",
                ),
                rows=tuple(rows),
                numeric=(False, True, True, True, True, True),
            ),
        ),
        notes=(
            f"Break-even rounds up to whole paying {pricing.plural}; healthy margin covers "
            f"{multiple}x the cost"
            + (
                f", rounded up to a multiple of {pricing.healthy_step}."
                if pricing.healthy_step > 1
                else "."
            ),
        ),
    )


def targets(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if not plan.targets:
        return Reply(title="Performance targets", parts=(Text("The plan sets no targets."),))
    names = ["Tier 0"] + [f"Tier {n}" for n in range(1, plan.tier_count + 1)]
    if len(args) > 1:
        raise extra_words("targets", args[1:], "one tier at most", "targets 2")
    if args:
        number = parse_tier(args[0], plan.tier_count, "targets 2")
        pairs = tuple(
            (t.metric, t.values[number] if number < len(t.values) else "—") for t in plan.targets
        )
        return Reply(
            title=f"Performance targets: {tier_label(plan, number)}", parts=(Facts(pairs=pairs),)
        )
    columns = ("Metric", *names)
    rows = tuple(
        (t.metric, *(t.values[i] if i < len(t.values) else "—" for i in range(len(names))))
        for t in plan.targets
    )
    return Reply(title="Performance targets by tier", parts=(Table(columns=columns, rows=rows),))


def triggers(args: list[str], ctx: Context) -> Reply:
    _no_args("triggers", args)
    plan = ctx.plan
    parts: list[Text | Facts | Table | Section] = []
    if plan.scaling_triggers:
        parts.append(
            Table(
                title="Scaling triggers",
                columns=("Trigger", "Action", "Lead time"),
                rows=tuple((t.text, t.action, t.lead_time or "—") for t in plan.scaling_triggers),
            )
        )
    if plan.auto_scaling and plan.auto_scaling.rules:
        auto = plan.auto_scaling
        items = (
            *(f"{r.text} → {r.action}" for r in auto.rules),
            f"Min containers: {auto.min_containers} (always)",
            f"Max containers: {auto.max_containers} (cost limit)",
        )
        parts.append(Section(f"Auto-scaling rules (Tier {auto.from_tier}+)", items))
    if plan.thresholds:
        parts.append(
            Section(
                "Alert thresholds",
                tuple(
                    f"{t.name}: {t.text or t.rule.describe(plan.unit(t.rule.metric))}"
                    f" ({t.severity}{', ' + t.tool if t.tool else ''})"
                    + relative_threshold(plan, t.rule)
                    for t in plan.thresholds
                ),
            )
        )
    upcoming = [(n, t) for n, t in enumerate(plan.tiers, start=1) if t.triggers]
    for number, info in upcoming[:3]:
        parts.append(Section(f"Approaching Tier {number}", tuple(t.text for t in info.triggers)))
    if not parts:
        parts.append(Text("The plan has no triggers or thresholds."))
    return Reply(title="Scaling triggers and alert thresholds", parts=tuple(parts))


def scenario(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if not plan.scenarios:
        return Reply(title="Disaster scenarios", parts=(Text("The plan has no scenarios."),))
    ids = ", ".join(f"`{s.id}`" for s in plan.scenarios)
    if not args:
        rows = tuple(
            (str(n), s.id, s.title, s.recovery_time or s.cost or "—")
            for n, s in enumerate(plan.scenarios, start=1)
        )
        return Reply(
            title="Disaster scenarios",
            parts=(Table(columns=("#", "Id", "Scenario", "Recovery / cost"), rows=rows),),
            notes=(Prose("`", Typed(f"scenario {plan.scenarios[0].id}"), "` shows the runbook."),),
        )
    wanted = " ".join(args).lower()
    found = None
    index = parse_position(wanted, f"scenario {plan.scenarios[0].id}")
    if index is not None and 1 <= index <= len(plan.scenarios):
        found = plan.scenarios[index - 1]
    for candidate in plan.scenarios:
        if found is None and (wanted == candidate.id or wanted in candidate.title.lower()):
            found = candidate
    if found is None:
        raise CommandError(
            f"No scenario matches `{wanted[:40]}`; the plan has {ids}.",
            f"scenario {plan.scenarios[0].id}",
        )
    pairs = [
        (label, value)
        for label, value in (
            ("Cause", found.cause),
            ("Recovery time", found.recovery_time),
            ("Data loss", found.data_loss),
            ("Cost", found.cost),
        )
        if value
    ]
    parts: list[Text | Facts | Table | Section] = []
    if pairs:
        parts.append(Facts(pairs=tuple(pairs)))
    if found.impact:
        parts.append(Section("Impact", found.impact))
    if found.response:
        parts.append(
            Section(
                "Response",
                tuple(
                    f"**{step.phase}**: {step.text}" if step.phase else step.text
                    for step in found.response
                ),
                numbered=True,
            )
        )
    return Reply(title=f"Scenario: {found.title}", parts=tuple(parts))


COMMANDS = (
    Command(
        "tiers",
        "tiers",
        "tiers",
        "All tiers side by side: users, cost, change, cost per user",
        tiers,
        reads=PLAN_ONLY,
    ),
    Command(
        "tier",
        "tier N",
        "tier 2",
        "One tier's projection: triggers, changes, total cost",
        tier,
        reads=PLAN_ONLY,
    ),
    Command(
        "cost",
        "cost [USERS]",
        "cost 5000",
        "Cost per user per tier, or for a user count",
        cost,
        reads=PLAN_ONLY,
    ),
    Command(
        "breakeven",
        "breakeven [PRICE]",
        "breakeven 30",
        "Paying customers to break even and for a healthy margin",
        breakeven,
        aliases=("break-even",),
        reads=PLAN_ONLY,
    ),
    Command(
        "targets",
        "targets [TIER]",
        "targets 2",
        "Performance targets by tier",
        targets,
        reads=PLAN_ONLY,
    ),
    Command(
        "triggers",
        "triggers",
        "triggers",
        "Scaling triggers and alert thresholds",
        triggers,
        reads=PLAN_ONLY,
    ),
    Command(
        "scenario",
        "scenario [NAME]",
        "scenario traffic-spike",
        "Disaster scenarios and their response steps",
        scenario,
        aliases=("scenarios",),
        reads=PLAN_ONLY,
    ),
)
