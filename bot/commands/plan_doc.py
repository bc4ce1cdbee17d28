"""`/capacity plan [export | reload]`: the plan's source and version, its document, a reload.

The command returns data; the front ends carry out the effect (upload or print the
document, load the plan file again) because both act on more than a command may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.commands.plan_sections import section_reply, sections_reply
from bot.commands.router import Command, CommandError, Context, refusal
from bot.domain.money import fmt_number
from bot.reply import Effect, Facts, Prose, Reply, Section, Text, Typed

__all__ = [
    "COMMANDS",
    "ExportPlan",
    "ReloadPlan",
    "reload_reply",
    "source_name",
]


@dataclass(frozen=True)
class ExportPlan(Effect):
    """Asks for the plan as the template's document with live figures: uploaded in Slack,
    printed by the shell; built after the answer (it reads the store, renders every section)."""

    filename: str = "capacity-plan.md"


@dataclass(frozen=True)
class ReloadPlan(Effect):
    """Asks to load CAPACITY_PLAN again; the front end answers with `reload_reply`."""


def source_name(source: str) -> str:
    return source or "the embedded default plan"


def reload_reply(
    applied: bool, version: int, errors: Sequence[str], changes: Sequence[str]
) -> Reply:
    """What the person who reloaded is told."""
    if not applied:
        return Reply(
            title="Plan not reloaded: the old plan stays live",
            parts=(Section("Errors", tuple(errors[:20])),),
            notes=(Prose("Fix the file and run `", Typed("plan reload"), "` again."),),
            error=True,
        )
    if not changes:
        return Reply(
            title=f"Plan reloaded: no changes (version {version})",
            parts=(Text("The file says what the live plan says."),),
        )
    return Reply(
        title=f"Plan reloaded (version {version})",
        parts=(Section("What changed", tuple(changes)),),
        notes=("The diff is posted to the alerts channel and recorded in the change log.",),
    )


# The plan setting `stated_figures`, as the plan answer says it.
_STATED = {
    "kept": "kept (yours stay where they do not add up, with a note)",
    "computed": "computed (the plan's arithmetic wins)",
}


def _show(ctx: Context) -> Reply:
    plan = ctx.plan
    return Reply(
        title=plan.titled("Capacity plan"),
        parts=(
            Facts(
                pairs=(
                    ("Source", source_name(ctx.plan_source)),
                    ("Version", f"{ctx.plan_version} (1 = as started; +1 per reload)"),
                    ("Last updated", plan.last_updated or "not set"),
                    (
                        "Tiers",
                        f"{plan.tier_count} (up to {fmt_number(plan.tiers[-1].users)}"
                        f" {plan.unit_plural})",
                    ),
                    ("Rules watched", str(len(plan.metric_rules()))),
                    ("Kept as text", f"{len(plan.sections)} section(s): `plan sections`"),
                    ("Stated figures", _STATED[plan.stated_figures]),
                )
            ),
        ),
        notes=(
            Prose(
                "`",
                Typed("plan export"),
                "` sends the live document; `plan reload` loads it again.",
            ),
        ),
    )


def plan(args: list[str], ctx: Context) -> Reply:
    if not args:
        return _show(ctx)
    word = args[0].lower()
    if word == "sections" and len(args) == 1:
        return sections_reply(ctx.plan)
    if word == "section":
        if len(args) == 1:
            raise CommandError(
                "Say which section: its number or a word of its title.", "plan section 1"
            )
        return section_reply(ctx.plan, " ".join(args[1:]))
    if len(args) > 1 or word not in ("export", "reload"):
        shown = " ".join(args)[:40]
        raise CommandError(
            f"`plan` takes `export`, `reload`, `sections` or `section NAME`, not `{shown}`.",
            "plan export",
        )
    if word == "export":
        return Reply(
            title="Capacity plan document",
            parts=(Text("The plan as the template's document, with live figures."),),
            effect=ExportPlan(),
        )
    if not ctx.may_write:
        return refusal("reload the plan", "You can still read it: `/capacity plan export`.")
    return Reply(
        title="Reloading the plan",
        parts=(Text(f"Loading {source_name(ctx.plan_source)} again; the result follows."),),
        effect=ReloadPlan(),
    )


COMMANDS = (
    Command(
        "plan",
        "plan [export | reload | sections | section NAME]",
        "plan export",
        "The plan's source and version; the live document; reload it (planners); the "
        "document's own sections kept as text",
        plan,
        writes=True,
    ),
)
