"""The README and docs/ stay true as the code moves: every test the guarantees table names
exists, every subcommand and HTTP route is documented, and docs/ARCHITECTURE.md has a
line for every unit of the layer list."""

from __future__ import annotations

import argparse
import ast
import re
from functools import cache
from pathlib import Path

from bot.app.cli import _parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ROUTE = re.compile(r"""(?:add_get|add_post|web\.get|web\.post)\(\s*["'](/[\w/]*)["']""")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


@cache
def _tests_in(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


def test_every_test_the_guarantees_table_names_exists() -> None:
    table = _section("Guarantees and their tests")
    named = NAMED.findall(table)
    assert len(named) >= 30, "the guarantees table lost its rows"
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file() or name not in _tests_in(path)
    ]
    assert missing == [], f"renamed or removed, update README's table: {missing}"


def test_every_subcommand_is_documented() -> None:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = list(action.choices)
    missing = [name for name in commands if f"capacity-bot {name}" not in README]
    assert missing == []


def test_every_http_route_is_in_the_endpoints_table() -> None:
    routes = {
        path
        for source in (ROOT / "bot").rglob("*.py")
        for path in ROUTE.findall(source.read_text(encoding="utf-8"))
    }
    assert {"/healthz", "/metrics", "/api/metrics", "/slack/events"} <= routes
    endpoints = _section("Run it in Slack")
    missing = [path for path in sorted(routes) if f" {path}`" not in endpoints]
    assert missing == []


def test_every_unit_of_the_layers_has_its_line_in_architecture() -> None:
    from tests.test_architecture import LAYERS

    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    tree = text.split("```")[1]  # the tree, one line a package
    starts = {line.split()[0] for line in tree.splitlines() if line and not line[0].isspace()}
    units = {u for _, group in LAYERS for u in group} - {"bot/__init__.py", "bot/__main__.py"}
    assert sorted(units - starts) == []
