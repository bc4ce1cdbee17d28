"""The terminal front end: one answer, an interactive shell, the plan checker, the digest."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.commands import build_router
from bot.commands.change_form import submit_change_form
from bot.commands.changes import (
    ExportChanges,
    OpenChangeModal,
    export_entries,
    export_files,
    today,
)
from bot.commands.digest import digest_input
from bot.commands.plan_doc import ExportPlan, ReloadPlan, plan_document
from bot.commands.plan_sections import SectionFile
from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.digest.build import build_digest
from bot.digest.chart import draw_digest_chart
from bot.domain.changes import FIELDS, Change, tier_options, validate_change_fields
from bot.domain.checks import plan_warnings
from bot.domain.money import in_currency
from bot.monitor.routes import route_warnings
from bot.planio.planfile import PlanError, load_plan
from bot.reload import carry_out_reload
from bot.render.text import render_text
from bot.reply import Reply

__all__ = ["ask", "check_plan", "import_changes_file", "log_change", "print_digest", "shell"]

HISTORY = Path.home() / ".capacity_bot_history"


USER = "terminal"


def ask(text: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    deps = build_deps(settings)
    try:
        ctx = deps.context(user_id=USER)
        reply = build_router().dispatch(text, ctx)
        export = (
            export_files(export_entries(ctx)) if isinstance(reply.effect, ExportChanges) else None
        )
        planned = _plan_effect(reply, deps)
    finally:
        deps.close()
    if reply.error:
        err.write(render_text(reply))
        # A fault of ours is not bad input: scripts tell the two apart by the exit code.
        return 1 if "fault" in reply.meta else 2
    if export is not None:
        out.write(export.markdown)
        return 0
    if isinstance(planned, str):
        out.write(planned)
        return 0
    if planned is not None:
        # A refused reload is the plan file's fault, not the typed text's.
        (err if planned.error else out).write(render_text(planned))
        return 1 if planned.error else 0
    if isinstance(reply.effect, OpenChangeModal):
        # Nothing is recorded: `log` asks field by field, which `ask` cannot (README).
        err.write("`log` asks for each field: run it in `capacity-bot shell`. Nothing logged.\n")
        return 2
    out.write(render_text(reply))
    return 0


def _plan_effect(reply: Reply, deps: Deps) -> str | Reply | None:
    """`plan export` (the document) and `plan reload` (its outcome) in a terminal."""
    if isinstance(reply.effect, ExportPlan):
        return asyncio.run(plan_document(deps.context(user_id=USER)))
    if isinstance(reply.effect, SectionFile):
        # A terminal has no message limits: the long section, whole.
        return render_text(reply) + "\n" + reply.effect.content
    if isinstance(reply.effect, ReloadPlan):
        return carry_out_reload(deps, USER, record=False)
    return None


def _read(prompt: str, stdin: TextIO, out: TextIO) -> str:
    """One line from the person; EOFError on Ctrl-D / end of input."""
    if stdin.isatty():
        return input(prompt)
    out.write(prompt)
    out.flush()
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


_PROMPTS = {
    "date": "Date (YYYY-MM-DD, empty = {today})",
    "change": "Change (what, max 150 chars)",
    "reason": "Reason (why)",
    "impact": "Impact (optional)",
    "cost_change": "Monthly cost change in $ (optional, e.g. +10 or -25.50)",
    "tier": "Tier (optional: {tiers})",
}


def log_change(
    deps: Deps, read: Callable[[str], str], out: TextIO, prefill: str = ""
) -> Change | None:
    """Ask for each field with the modal's validation; re-ask a bad field. Ctrl-D aborts."""
    ctx = deps.context(user_id=USER)
    day = today(ctx)
    tiers = ", ".join(f"{n} = {label}" for n, label in tier_options(deps.plan))
    fields: dict[str, str] = {}
    try:
        for name in FIELDS:
            while True:
                prompt = _PROMPTS[name].format(today=day.isoformat(), tiers=tiers)
                if name == "change" and prefill:
                    prompt += f" [{prefill}]"
                answer = read(f"{prompt}: ").strip()
                if name == "change" and not answer:
                    answer = prefill
                fields[name] = answer
                _, errors = validate_change_fields(fields, deps.plan, day)
                if name not in errors:
                    break
                out.write(f"  {errors[name]}\n")
    except (EOFError, KeyboardInterrupt):
        out.write("\nNothing logged.\n")
        return None
    outcome = submit_change_form(ctx, fields, key=f"shell:{uuid.uuid4().hex}")
    if outcome.change is None:
        out.write("Nothing logged: " + "; ".join(outcome.errors.values()) + "\n")
        return None
    change = outcome.change
    out.write(f"Logged change #{change.id}: {change.date.isoformat()} {change.change}\n")
    return change


def _terminal_effect(reply: Reply, deps: Deps, read: Callable[[str], str], out: TextIO) -> bool:
    """Carry out a change-log effect at the prompt; True when the reply was handled here."""
    if isinstance(reply.effect, OpenChangeModal):
        log_change(deps, read, out, reply.effect.prefill)
        return True
    if isinstance(reply.effect, ExportChanges):
        out.write(export_files(export_entries(deps.context(user_id=USER))).markdown + "\n")
        return True
    planned = _plan_effect(reply, deps)
    if planned is not None:
        out.write(planned if isinstance(planned, str) else render_text(planned) + "\n")
        return True
    return False


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
    router = build_router()
    plan = deps.plan
    interactive = stdin.isatty()
    save = _readline_history() if interactive else (lambda: None)
    out.write(f"{plan.titled('capacity-bot shell')}. Type `help` for commands, `quit` to leave.\n")
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
            reply = router.dispatch(text, deps.context(user_id=USER))
            if not _terminal_effect(reply, deps, lambda prompt: _read(prompt, stdin, out), out):
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
    warnings = plan_warnings(plan) + route_warnings(plan, settings)
    if source is not None and Path(source).suffix.lower() in (".md", ".markdown"):
        from bot.planio.document import import_document

        # What the document's wording could not say as rules, by line.
        text = Path(source).read_text(encoding="utf-8")
        warnings = [*import_document(text, str(source)).warnings, *warnings]
    from bot.planio.understood import understood

    # What was understood first, so a team can trust the import before the details.
    out.write(f"{name}: understood {understood(plan)}\n")
    named = f"{plan.product}, " if plan.product else ""
    out.write(f"{name}: valid ({named}{plan.tier_count} tiers)")
    out.write(f", {len(warnings)} warning(s)\n" if warnings else ", no warnings\n")
    for warning in warnings:
        out.write(f"  warning: {warning}\n")
    return 0


def import_changes_file(
    path: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """`capacity-bot import-changes FILE`: 0 when imported; 1 on a bad row (nothing written)."""
    from bot.planio.changelog import import_changes, parse_file

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


def print_digest(
    settings: Settings,
    chart: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the digest as text to `out`; with `chart`, also the PNG there. Exit status."""
    # Looked up when called, not at import: whoever imported this module first may have
    # had another sys.stdout (a test runner's capture).
    out = out or sys.stdout
    err = err or sys.stderr
    deps = build_deps(settings)
    try:
        inp = digest_input(deps.context(user_id="terminal"))
    finally:
        deps.close()
    if chart is not None:
        try:
            chart.write_bytes(draw_digest_chart(inp))
        except ImportError:
            err.write(
                "capacity-bot: the chart needs matplotlib (pip install 'capacity-bot[chart]')\n"
            )
            return 1
    with in_currency(inp.plan.currency):
        out.write(render_text(build_digest(inp)))
    return 0
