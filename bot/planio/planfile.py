"""Read a plan from YAML: the default plan, or a file, with errors located in the file."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.domain.checks import plan_errors
from bot.domain.plan import Plan
from bot.planio.errors import PlanError, default_plan_text, describe_error, load_yaml

__all__ = [
    "MAX_PLAN_BYTES",
    "PlanError",
    "default_plan",
    "default_plan_text",
    "describe_error",
    "file_stamp",
    "load_plan",
    "parse_plan",
    "read_plan_text",
]

# A plan (YAML or the filled-in document) is a few tens of KB; the template itself is 30.
MAX_PLAN_BYTES = 1024 * 1024


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate YAML text as a plan, raising PlanError with every problem located."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(source, (f"{where}: {problem}",)) from None
    if not isinstance(data, dict):
        raise PlanError(source, ("(top level): a plan is a YAML mapping of sections",))
    from bot.planio.derive import derive_rules

    fallback = (
        []
        if source == "default plan"
        else [(m.name, m.unit, m.description) for m in default_plan().metrics]
    )
    derive_rules(data, fallback)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, tuple(describe_error(e) for e in exc.errors())) from None
    errors = plan_errors(plan)
    if errors:
        raise PlanError(source, tuple(errors))
    return plan


def file_stamp(path: str | Path | None) -> tuple[int, int] | None:
    """What tells a changed plan file apart: modification time and size."""
    if path is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def read_plan_text(path: str | Path) -> str:
    """The text of the plan file at `path`, or PlanError saying why it cannot be one: not a
    regular file (a FIFO or a device would block or never end), over MAX_PLAN_BYTES, or not
    UTF-8. Never blocks: nothing is opened before the file is known to be a regular one."""
    file = Path(path)
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a directory"
                if stat.S_ISDIR(info.st_mode)
                else "a FIFO"
                if stat.S_ISFIFO(info.st_mode)
                else "a device or socket"
            )
            raise PlanError(
                str(file), (f"it is {kind}, not a plan file; give a .yaml or .md file",)
            )
        if info.st_size > MAX_PLAN_BYTES:
            raise PlanError(str(file), (_too_large(info.st_size),))
        with file.open("rb") as f:
            data = f.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(str(file), (f"cannot read the file: {exc.strerror}",)) from None
    if len(data) > MAX_PLAN_BYTES:  # grew since the stat
        raise PlanError(str(file), (_too_large(len(data)),))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanError(
            str(file),
            (
                f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file as "
                "UTF-8 text",
            ),
        ) from None


def _too_large(size: int) -> str:
    return f"the file is {size:,} bytes; a plan is at most {MAX_PLAN_BYTES:,} (1 MiB)"


def load_plan(path: str | Path | None = None) -> Plan:
    """The plan at `path`, or the embedded default plan when `path` is None."""
    if path is None:
        return default_plan()
    file = Path(path)
    text = read_plan_text(file)
    if file.suffix.lower() in (".md", ".markdown"):
        # The filled-in template itself: warnings are check-plan's to print.
        from bot.planio.document import import_document

        return import_document(text, str(file)).plan
    return parse_plan(text, str(file))


_DEFAULT: Plan | None = None


def default_plan() -> Plan:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = parse_plan(default_plan_text(), "default plan")
    return _DEFAULT
