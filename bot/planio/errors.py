"""What every plan reader shares: the error it raises, how a pydantic error reads, and the
embedded default plan's text. Imports no reader, so the readers can import it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

__all__ = ["AliasRefused", "PlanError", "default_plan_text", "describe_error", "load_yaml"]


@dataclass(frozen=True)
class PlanError(Exception):
    """A plan that cannot be used; `problems` are `location: message` lines."""

    source: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        lines = "\n".join(f"  {p}" for p in self.problems)
        return f"{self.source}: the plan is not valid:\n{lines}"


# libyaml when the wheel has it: 8x faster than the pure-Python loader (bench/).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasRefused(yaml.YAMLError):
    """An alias (`*name`) in a plan: refused before any tree is built from it."""

    def __init__(self, mark: Any) -> None:
        super().__init__("aliases (*name) are not allowed in a plan; write the value out")
        self.problem = str(self)
        self.problem_mark = mark


def load_yaml(text: str) -> Any:
    """YAML as plain data (safe: no Python objects); yaml.YAMLError when it is not YAML.

    Aliases are refused while the text is only a stream of events, before a tree exists: a
    few KB of nested aliases ("billion laughs") expand to gigabytes once composed, and a
    plan has no use for them.
    """
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise AliasRefused(event.start_mark)
    return yaml.load(text, Loader=_LOADER)


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


def describe_error(error: Any) -> str:
    """One pydantic error as `location: message`."""
    loc = _location(tuple(error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling and indentation)"
    if error["type"] == "literal_error" and error.get("loc"):
        # One of a few words (`stated_figures: computed`): show a line that works.
        first = str(error.get("ctx", {}).get("expected", "")).split(" or ")[0].split(",")[0]
        field = str(error["loc"][-1])
        if first and not field.isdigit():
            message += f"; for example `{field}: {first.strip(chr(39))}`"
    # A model-level check names its own location inside the message.
    if ": " in message and loc == "(top level)":
        return message
    return f"{loc}: {message}"
