"""Run every check and print one line each: `ok` with what was found, or `fix` with the fix.

Wiring (it reaches the Slack edge for the Slack checks); the checks themselves are in
`bot.doctor.checks` and `bot.slack.probe`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any, TextIO

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

__all__ = ["doctor", "report", "run_checks", "served_bot_check"]


def _healthz(port: int, timeout: float) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            body = json.loads(r.read(1 << 20))
    except urllib.error.HTTPError as exc:  # a 503 still carries the reasons
        try:
            body = json.loads(exc.read(1 << 20))
        except ValueError:
            return None
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


async def served_bot_check(settings: Settings, timeout: float = 2.0) -> Check | None:
    """What a bot served here on PORT says about its database and its last evaluation
    (the file it writes may have been deleted under it, its disk may be full); None when
    no capacity-bot answers there."""
    body = await asyncio.to_thread(_healthz, settings.port, timeout)
    if body is None or "database" not in body:
        return None
    database, evaluation = body.get("database") or {}, body.get("evaluation") or {}
    problems = list(database.get("problems") or [])
    if evaluation.get("ok") is False:
        problems.append(f"the last rule evaluation failed ({evaluation.get('error', '')})")
    where = f"the bot on port {settings.port}"
    if problems:
        return Check(
            "served bot",
            False,
            f"{where}: {'; '.join(problems)}; /capacity status in Slack gives the fix",
        )
    return Check("served bot", True, f"{where}: database file in place, writes and evaluation ok")


async def run_checks(settings: Settings) -> list[Check]:
    plan_check, plan = check_plan(settings)
    outside = await outside_checks(settings, plan)
    slack, prometheus = outside[:-1], outside[-1]
    # Slack first: it is what a new install gets wrong.
    served = await served_bot_check(settings)
    return [
        *slack,
        plan_check,
        check_database(settings),
        *([served] if served is not None else []),
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
