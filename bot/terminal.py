"""The terminal front end: one answer, an interactive shell, and the plan checker."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.domain.checks import plan_warnings
from bot.planfile import PlanError, load_plan
from bot.render.text import render_text

__all__ = ["ask", "check_plan", "import_changes_file", "shell"]

HISTORY = Path.home() / ".capacity_bot_history"


USER = "terminal"


def ask(text: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    deps = build_deps(settings)
    try:
        reply = deps.router.dispatch(text, deps.context(user_id=USER))
    finally:
        deps.close()
    if reply.error:
        err.write(render_text(reply))
        return 2
    out.write(render_text(reply))
    return 0


def _readline_history() -> Callable[[], None]:
    """Arrow-key history across sessions where readline exists; a no-op elsewhere."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY)

    return save


def shell(settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    deps: Deps = build_deps(settings)
    plan = deps.plan
    interactive = stdin.isatty()
    save = _readline_history() if interactive else (lambda: None)
    out.write(f"capacity-bot shell: {plan.product}. Type `help` for commands, `quit` to leave.\n")
    try:
        while True:
            if interactive:
                try:
                    line = input("capacity> ")
                except EOFError:
                    break
            else:
                out.write("capacity> ")
                out.flush()
                line = stdin.readline()
                if not line:
                    break
            text = line.strip()
            if text.lower() in ("quit", "exit", r"\q"):
                break
            if not text:
                continue
            reply = deps.router.dispatch(text, deps.context(user_id=USER))
            out.write(render_text(reply) + "\n")
            out.flush()
    except KeyboardInterrupt:
        out.write("\n")
    finally:
        save()
        deps.close()
    out.write("bye\n")
    return 0


def check_plan(path: str | None, settings: Settings, out: TextIO = sys.stdout) -> int:
    source = Path(path) if path else settings.plan_path
    name = str(source) if source else "the embedded default plan"
    try:
        plan = load_plan(source)
    except PlanError as exc:
        out.write(f"{exc.source}: {len(exc.problems)} error(s)\n")
        for problem in exc.problems:
            out.write(f"  error: {problem}\n")
        return 1
    warnings = plan_warnings(plan)
    out.write(f"{name}: valid ({plan.product}, {plan.tier_count} tiers)")
    out.write(f", {len(warnings)} warning(s)\n" if warnings else ", no warnings\n")
    for warning in warnings:
        out.write(f"  warning: {warning}\n")
    return 0


def import_changes_file(
    path: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """`capacity-bot import-changes FILE`: 0 when imported; 1 on a bad row (nothing written)."""
    from bot.changelog_io import import_changes, parse_file

    source = Path(path)
    try:
        rows = parse_file(source)
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"{source}: cannot read: {exc}\n")
        return 1
    deps = build_deps(settings)
    try:
        result = import_changes(rows, deps.store.changes, deps.plan, deps.clock(), by=USER)
    finally:
        deps.close()
    if not result.ok:
        err.write(f"{source}: {len(result.errors)} bad row(s); nothing was imported\n")
        for problem in result.errors:
            err.write(f"  {problem}\n")
        return 1
    out.write(f"{source}: {result.added} added, {result.skipped} skipped (already in the log)\n")
    return 0
