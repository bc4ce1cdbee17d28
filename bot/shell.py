"""The terminal front end: one answer, an interactive shell, the plan checker, the digest."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.commands import build_router
from bot.commands.changes import today
from bot.commands.digest import digest_input
from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.digest.build import build_digest
from bot.digest.chart import draw_digest_chart
from bot.domain.changes import FIELDS, Change, tier_options, validate_change_fields
from bot.domain.checks import plan_warnings
from bot.domain.money import in_currency
from bot.monitor.routes import route_warnings
from bot.planio.planfile import PlanError, load_plan, read_plan_text
from bot.render.text import render_text
from bot.reply import Reply
from bot.services.changes import submit_change_form
from bot.services.effects import EffectTable
from bot.services.export import export_entries, export_files, plan_document
from bot.services.reload import carry_out_reload

__all__ = ["ask", "check_plan", "import_changes_file", "log_change", "print_digest", "shell"]

HISTORY = Path.home() / ".capacity_bot_history"


USER = "terminal"


@dataclass(frozen=True)
class _Said:
    """What `ask` prints for an effect, and its exit code (not 0: on stderr)."""

    text: str
    code: int = 0


# `ask` answers once and exits: each effect as text, or None to show the reply itself.
AskEffect = Callable[[Any, Reply, Deps], _Said | None]


def _reload_said(effect: Any, reply: Reply, deps: Deps) -> _Said:
    outcome = carry_out_reload(deps, USER, record=False)
    # A refused reload is the plan file's fault, not the typed text's.
    return _Said(render_text(outcome), 1 if outcome.error else 0)


ASK_EFFECTS: EffectTable[AskEffect] = EffectTable(
    # Nothing is recorded: `log` asks field by field, which `ask` cannot (README).
    open_change_form=lambda effect, reply, deps: _Said(
        "`log` asks for each field: run it in `capacity-bot shell`. Nothing logged.\n", 2
    ),
    export_changes=lambda effect, reply, deps: _Said(
        export_files(export_entries(deps.context(user_id=USER))).markdown
    ),
    post_confirmation=lambda effect, reply, deps: None,
    export_plan=lambda effect, reply, deps: _Said(
        asyncio.run(plan_document(deps.context(user_id=USER)))
    ),
    reload_plan=_reload_said,
    # A terminal has no message limits: the long section, whole.
    section_file=lambda effect, reply, deps: _Said(render_text(reply) + "\n" + effect.content),
)


def ask(text: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    deps = build_deps(settings)
    try:
        router = build_router()
        reply = (
            router.help(terminal=True, plan=deps.plan)
            if router.is_help(text)
            else router.dispatch(text, deps.context(user_id=USER))
        )
        handler = None if reply.error else ASK_EFFECTS.handler(reply.effect)
        said = handler(reply.effect, reply, deps) if handler is not None else None
    finally:
        deps.close()
    if reply.error:
        err.write(render_text(reply))
        # A fault of ours is not bad input: scripts tell the two apart by the exit code.
        return 1 if "fault" in reply.meta else 2
    if said is not None:
        (err if said.code else out).write(said.text)
        return said.code
    out.write(render_text(reply, width=terminal_width(out)))
    return 0


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


# At the prompt: True when the effect was carried out there (else the reply is shown).
PromptEffect = Callable[[Any, Reply, Deps, Callable[[str], str], TextIO], bool]


def _write(out: TextIO, text: str, end: str = "\n") -> bool:
    out.write(text + end)
    return True


def _log(effect: Any, reply: Reply, deps: Deps, read: Callable[[str], str], out: TextIO) -> bool:
    log_change(deps, read, out, effect.prefill)
    return True


PROMPT_EFFECTS: EffectTable[PromptEffect] = EffectTable(
    open_change_form=_log,
    export_changes=lambda effect, reply, deps, read, out: _write(
        out, export_files(export_entries(deps.context(user_id=USER))).markdown
    ),
    post_confirmation=lambda effect, reply, deps, read, out: False,
    # The document ends in its own newline.
    export_plan=lambda effect, reply, deps, read, out: _write(
        out, asyncio.run(plan_document(deps.context(user_id=USER))), end=""
    ),
    reload_plan=lambda effect, reply, deps, read, out: _write(
        out, render_text(carry_out_reload(deps, USER, record=False))
    ),
    section_file=lambda effect, reply, deps, read, out: _write(
        out, render_text(reply) + "\n" + effect.content, end=""
    ),
)


def _terminal_effect(reply: Reply, deps: Deps, read: Callable[[str], str], out: TextIO) -> bool:
    """Carry out an effect at the prompt; True when the reply was handled here."""
    handler = PROMPT_EFFECTS.handler(reply.effect)
    return handler is not None and handler(reply.effect, reply, deps, read, out)


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


def terminal_width(out: TextIO) -> int | None:
    """The terminal's columns (as `shutil.get_terminal_size` reports them) when `out` is a
    terminal; None for a pipe or a file, which get the lines whole."""
    try:
        return shutil.get_terminal_size().columns if out.isatty() else None
    except (AttributeError, ValueError, OSError):
        return None


def shell(
    settings: Settings,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    width: int | None = None,
) -> int:
    """The interactive console. `width` (default: the terminal's) is what answers fit."""
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
            if text.lower() in ("clear", "cls"):
                if out.isatty():
                    out.write("\033[H\033[2J")  # what `clear` sends: home, erase screen
                continue
            columns = width or terminal_width(out)
            if router.is_help(text):
                help_reply = router.help(terminal=True, plan=deps.plan)
                out.write(render_text(help_reply, width=columns) + "\n")
                continue
            reply = router.dispatch(text, deps.context(user_id=USER))
            if not _terminal_effect(reply, deps, lambda prompt: _read(prompt, stdin, out), out):
                out.write(render_text(reply, width=columns) + "\n")
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
        from bot.planio.doc_terms import in_document_terms
        from bot.planio.document import import_document

        # What the document's wording could not say as rules, by line; the plan's own
        # warnings in the document's terms (Tier 2 on its line, not tiers[1]).
        result = import_document(read_plan_text(source), str(source))
        located = [in_document_terms(w, result.lines) for w in warnings]
        warnings = [*result.warnings, *located]
    from bot.planio.understood import understood

    # What was understood first, so a team can trust the import before the details.
    out.write(f"{name}: understood {understood(plan)}\n")
    named = f"{plan.product}, " if plan.product else ""
    out.write(f"{name}: valid ({named}{plan.tier_range})")
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
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
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
