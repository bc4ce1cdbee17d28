"""Commands that answer from the plan alone: tiers, costs, break-even, targets, runbooks."""

from __future__ import annotations

from bot.commands import costs
from bot.commands.args import extra_words, parse_tier
from bot.commands.baseline import baseline
from bot.commands.missing import missing_section
from bot.commands.plan_sections import tier_sections
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context
from bot.commands.triggers import TRIGGERS
from bot.domain.checks import stated_differences
from bot.domain.components import change_sides
from bot.domain.costs import cost_per_user, tier_costs, tier_label
from bot.domain.money import fmt_number
from bot.domain.values import fmt_amount, fmt_percent_change
from bot.reply import Facts, Part, Prose, Reply, Section, Table, Text, Typed

__all__ = ["COMMANDS"]


def _no_args(name: str, args: list[str]) -> None:
    if args:
        raise extra_words(name, args, "nothing after it", name)


def tiers(args: list[str], ctx: Context) -> Reply:
    _no_args("tiers", args)
    plan = ctx.plan
    rows = []
    for cost in tier_costs(plan):
        per_user = cost_per_user(cost.total_span, cost.users)
        change = (
            "—"
            if cost.number == 0
            else (
                fmt_amount(cost.change_span, sign=True)
                + (
                    f" ({fmt_percent_change(cost.percent_span, plan.percent_rounding)})"
                    if cost.percent_span is not None
                    else ""
                )
            )
        )
        rows.append(
            (
                str(cost.number),
                cost.name,
                fmt_number(cost.users),
                f"{fmt_amount(cost.total_span)}/mo",
                change,
                per_user.monthly_text(plan.unit_period),
            )
        )
    units = plan.unit_plural.capitalize()
    return Reply(
        title=plan.titled("Growth tiers"),
        parts=(
            Table(
                columns=(
                    "Tier",
                    "Name",
                    units,
                    "Monthly cost",
                    "Change",
                    f"Cost per {plan.growth_unit}",
                ),
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
    parts: list[Part] = [
        Text(f"**Total new cost**: {cost.summary()}"),
        Facts(
            pairs=(
                (
                    plan.unit_plural.capitalize(),
                    f"{fmt_number(from_users)} → {fmt_number(info.users)}",
                ),
                ("Timeline", info.timeline or "not set"),
                (
                    f"Cost per {plan.growth_unit}",
                    cost_per_user(cost.total_span, info.users).monthly_text(plan.unit_period),
                ),
            )
        ),
    ]
    # Where the team's own figures do not add up, one line: theirs is what is shown above.
    for line in stated_differences(plan, number):
        parts.append(Text(f"Does not add up: {line.split(': ', 1)[1]}"))
    if info.triggers:
        parts.append(Section("Triggers", tuple(t.text for t in info.triggers)))
    if info.changes:
        amounts, sides = change_sides(plan, number)
        parts.append(
            Table(
                title="Infrastructure changes",
                columns=("Component", previous, f"Tier {number}", "Cost change"),
                rows=tuple(
                    (c.component, *side, f"{fmt_amount(c.cost_span, sign=True)}/mo")
                    for c, side in zip(info.changes, sides, strict=True)
                ),
                numeric=(False, amounts, amounts, True),
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
    parts += tier_sections(plan, number)  # the document's own text under this tier
    return Reply(title=tier_label(plan, number), parts=tuple(parts))


def targets(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if not plan.targets:
        return missing_section("targets")
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


COMMANDS = (
    Command(
        "tiers",
        "tiers",
        "tiers",
        "All tiers side by side: users, cost, change, cost per user",
        tiers,
        reads=PLAN_ONLY,
        in_units=True,
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
        costs.cost,
        reads=PLAN_ONLY,
        in_units=True,
    ),
    Command(
        "breakeven",
        "breakeven [PRICE]",
        "breakeven 30",
        "Paying customers to break even and for a healthy margin",
        costs.breakeven,
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
    TRIGGERS,
)
