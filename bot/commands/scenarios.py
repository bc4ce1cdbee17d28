"""`scenario [NAME]`: the plan's disaster scenarios and their response steps."""

from __future__ import annotations

from bot.commands.args import parse_position
from bot.commands.missing import missing_section
from bot.commands.router import PLAN_ONLY, Command, CommandError, Context
from bot.reply import Facts, Prose, Reply, Section, Table, Text, Typed

__all__ = ["COMMANDS"]


def scenario(args: list[str], ctx: Context) -> Reply:
    plan = ctx.plan
    if not plan.scenarios:
        return missing_section("scenario")
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
        "scenario",
        "scenario [NAME]",
        "scenario traffic-spike",
        "Disaster scenarios and their response steps",
        scenario,
        aliases=("scenarios",),
        reads=PLAN_ONLY,
    ),
)
