"""Read a plan from YAML: the default plan, or a file, with errors located in the file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.plan import Plan

__all__ = ["PlanError", "default_plan", "default_plan_text", "load_plan", "parse_plan"]


@dataclass(frozen=True)
class PlanError(Exception):
    """A plan that cannot be used; `problems` are `location: message` lines."""

    source: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        lines = "\n".join(f"  {p}" for p in self.problems)
        return f"{self.source}: the plan is not valid:\n{lines}"


def default_plan_text() -> str:
    return (resources.files("bot") / "data" / "default-plan.yaml").read_text(encoding="utf-8")


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _describe(error: Any) -> str:
    loc = _location(tuple(error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling and indentation)"
    # A model-level check names its own location inside the message.
    if ": " in message and loc == "(top level)":
        return message
    return f"{loc}: {message}"


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate YAML text as a plan, raising PlanError with every problem located."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(source, (f"{where}: {problem}",)) from None
    if not isinstance(data, dict):
        raise PlanError(source, ("(top level): a plan is a YAML mapping of sections",))
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, tuple(_describe(e) for e in exc.errors())) from None


def load_plan(path: str | Path | None = None) -> Plan:
    """The plan at `path`, or the embedded default plan when `path` is None."""
    if path is None:
        return default_plan()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(str(file), (f"cannot read the file: {exc.strerror}",)) from None
    return parse_plan(text, str(file))


_DEFAULT: Plan | None = None


def default_plan() -> Plan:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = parse_plan(default_plan_text(), "default plan")
    return _DEFAULT
