"""Run every check and print one line each: `ok` with what was found, or `fix` with the fix.

Wiring (it reaches the Slack edge for the Slack checks); the checks themselves are in
`bot.doctor.checks` and `bot.slack.probe`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.core.config import Settings
from bot.doctor.checks import (
    Check,
    check_database,
    check_ingest_token,
    check_plan,
    check_routes,
    stored_problems,
)
from bot.slack.probe import outside_checks

__all__ = ["doctor", "report", "run_checks"]


async def run_checks(settings: Settings) -> list[Check]:
    plan_check, plan = check_plan(settings)
    outside = await outside_checks(settings, plan)
    slack, prometheus = outside[:-1], outside[-1]
    # Slack first: it is what a new install gets wrong.
    return [
        *slack,
        plan_check,
        check_database(settings),
        check_ingest_token(settings),
        check_routes(settings, plan, stored_problems(settings)),
        prometheus,
    ]


def report(checks: Sequence[Check], out: TextIO) -> int:
    """Print the lines; 0 when every check passed, else 1."""
    width = max(len(c.name) for c in checks)
    for check in checks:
        out.write(f"{'ok ' if check.ok else 'fix'}  {check.name:<{width}}  {check.detail}\n")
    failed = [c for c in checks if not c.ok]
    if failed:
        out.write(f"{len(failed)} of {len(checks)} checks need a fix\n")
        return 1
    out.write(f"all {len(checks)} checks passed\n")
    return 0


def doctor(settings: Settings, out: TextIO = sys.stdout) -> int:
    return report(asyncio.run(run_checks(settings)), out)
