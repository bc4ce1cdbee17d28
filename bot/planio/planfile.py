"""Read a plan from YAML: the default plan, or a file, with errors located in the file."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.domain.checks import plan_errors
from bot.domain.plan import Plan
from bot.planio.errors import PlanError, default_plan_text, describe_error, load_yaml

__all__ = [
    "PlanError",
    "default_plan",
    "default_plan_text",
    "describe_error",
    "file_stamp",
    "load_plan",
    "parse_plan",
]


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


def load_plan(path: str | Path | None = None) -> Plan:
    """The plan at `path`, or the embedded default plan when `path` is None."""
    if path is None:
        return default_plan()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(str(file), (f"cannot read the file: {exc.strerror}",)) from None
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
