"""What a command says when the plan's document has no section it needs: the plan has
none, and these are the lines to add (a team's document is never refused for leaving a
section out; only the command that needs it notices)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.money import fmt_money
from bot.domain.plan import Plan
from bot.reply import Code, Prose, Reply, Text, Typed

__all__ = ["SNIPPETS", "missing_section"]

# What each command needs: (what the plan lacks, where the lines go, the lines).
SNIPPETS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "compute": (
        "compute formula",
        "under `## Resource Estimates`",
        (
            "### Compute (API)",
            "",
            "**Current**:",
            "- 1 container: 1GB RAM, 1 vCPU",
            "",
            "**Formula**: Requests/sec = (vCPU × efficiency_factor) / avg_response_time",
            "- Efficiency factor: 0.7 (70% utilization)",
            "- Avg response time: 200ms",
        ),
    ),
    "connections": (
        "database connections formula",
        "under `## Resource Estimates`",
        (
            "### Database Connections",
            "",
            "**Current**: 100 max connections",
            "",
            "**Formula**: Connections needed = (API containers × connections_per_container)"
            " + background_jobs",
            "- Connections per container: 10 (pool size)",
            "- Background jobs: 5 workers × 5 connections = 25",
        ),
    ),
    "storage": (
        "storage formula",
        "under `## Resource Estimates`",
        (
            "### Storage",
            "",
            "**Example**:",
            "- Avg files per user: 10",
            "- Avg file size: 2MB",
            "- 100 users: 100 × 10 × 2MB = 2GB files + 1GB DB = 3GB total",
        ),
    ),
    "breakeven": (
        "price",
        "under `## Cost Model`",
        (
            "### Revenue Targets",
            "",
            "**Pricing**: $25/mo per customer",
        ),
    ),
    "targets": (
        "performance targets",
        "anywhere after the tiers",
        (
            "## Performance Targets by Tier",
            "",
            "| Metric | Tier 0 | Tier 1 |",
            "|--------|--------|--------|",
            "| API p95 | < 500ms | < 400ms |",
        ),
    ),
    "scenario": (
        "disaster scenarios",
        "anywhere after the tiers",
        (
            "## Disaster Scenarios",
            "",
            "### Scenario 1: Sudden 10x Traffic Spike",
            "",
            "**Cause**: Mentioned on a popular podcast",
            "**Impact**:",
            "- API containers max out (100% CPU)",
            "",
            "**Response**:",
            "1. **Immediate** (0-30 min): Scale the API to 10 containers",
        ),
    ),
}


def missing_section(command: str, plan: Plan | None = None) -> Reply:
    """The answer of `command` when the plan has no section it needs; a price to add is
    written in `plan`'s currency and unit (`€25/mo per workspace`)."""
    what, where, lines = SNIPPETS[command]
    if command == "breakeven" and plan is not None:
        lines = (
            *lines[:-1],
            f"**Pricing**: {plan.pricing_or(Decimal(25)).per_customer(fmt_money(Decimal(25)))}",
        )
    return Reply(
        title=f"The plan has no {what}",
        parts=(
            Text(
                f"`{command}` needs the plan's {what}, and the plan's document has none. "
                "Nothing else is affected: every other answer stands."
            ),
            Code(lines, title=f"Add these lines {where}, with your own figures"),
        ),
        notes=(Prose("Then `", Typed("plan reload"), "` (planners) to load it."),),
    )
