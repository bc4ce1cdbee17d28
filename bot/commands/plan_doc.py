"""`/capacity plan [export | reload]`: the plan's source and version, its document, a reload."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands.router import Command, CommandError, Context
from bot.domain.money import fmt_number
from bot.reply import Facts, Reply, Section, Text

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["COMMANDS", "ExportPlan", "plan_document"]


@dataclass(frozen=True)
class ExportPlan:
    """Asks for the plan as the template's document; built after the answer (it reads the
    store and renders every section), uploaded in Slack, printed by the shell."""

    filename: str = "capacity-plan.md"


def _deps(ctx: Context) -> Deps:
    deps: Deps = ctx.service("deps")
    return deps


def _may_write(ctx: Context) -> bool:
    settings = ctx.services.get("settings")
    return settings is None or settings.may_write(ctx.user_id)


async def plan_document(deps: Deps) -> str:
    """The live document: figures read here, the rendering in a worker thread."""
    from bot.planio.doc_write import export_document
    from bot.planio.live import live_figures

    plan = deps.plan
    live = live_figures(plan, deps.store, deps.clock())
    return await asyncio.to_thread(export_document, plan, live)


def _show(ctx: Context) -> Reply:
    from bot.jobs.plan_reload import plan_source

    deps = _deps(ctx)
    plan = ctx.plan
    return Reply(
        title=f"Capacity plan: {plan.product}",
        parts=(
            Facts(
                pairs=(
                    ("Source", plan_source(deps)),
                    ("Version", f"{deps.plan_version} (1 = as started; +1 per reload)"),
                    ("Last updated", plan.last_updated or "not set"),
                    (
                        "Tiers",
                        f"{plan.tier_count} (up to {fmt_number(plan.tiers[-1].users)} users)",
                    ),
                    ("Rules watched", str(len(plan.metric_rules()))),
                )
            ),
        ),
        notes=("`/capacity plan export` sends the live document; `plan reload` loads it again.",),
    )


def _reload(ctx: Context) -> Reply:
    from bot.jobs.plan_reload import reload_plan

    if not _may_write(ctx):
        raise CommandError("Only planners (CAPACITY_PLANNERS) may reload the plan.", "plan")
    deps = _deps(ctx)
    who = f"<@{ctx.user_id}>" if ctx.user_id and ctx.user_id != "terminal" else "the terminal"
    outcome = reload_plan(deps, by=who, now=ctx.now)
    if not outcome.applied:
        return Reply(
            title="Plan not reloaded: the old plan stays live",
            parts=(Section("Errors", outcome.errors[:20]),),
            notes=("Fix the file and run `/capacity plan reload` again.",),
            error=True,
        )
    if not outcome.changes:
        return Reply(
            title=f"Plan reloaded: no changes (version {outcome.version})",
            parts=(Text("The file says what the live plan says."),),
        )
    return Reply(
        title=f"Plan reloaded (version {outcome.version})",
        parts=(Section("What changed", outcome.changes),),
        notes=("The diff is posted to the alerts channel and recorded in the change log.",),
    )


def plan(args: list[str], ctx: Context) -> Reply:
    if not args:
        return _show(ctx)
    word = args[0].lower()
    if len(args) > 1 or word not in ("export", "reload"):
        raise CommandError(
            f"`plan` takes `export` or `reload`, not `{' '.join(args)[:40]}`.", "plan export"
        )
    if word == "export":
        return Reply(
            title="Capacity plan document",
            parts=(Text("The plan as the template's document, with live figures."),),
            effect=ExportPlan(),
        )
    return _reload(ctx)


COMMANDS = (
    Command(
        "plan",
        "plan [export | reload]",
        "plan export",
        "The plan's source and version; the live document; reload it (planners)",
        plan,
    ),
)
