"""Import rules of DESIGN.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for d in ("bot", "store") for p in (ROOT / d).rglob("*.py"))

# Only these may talk to Slack; everything else goes through them.
SLACK_ALLOWED = ("bot/slack/", "bot/notify/slack.py")


def _module(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("bot", "store")


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_layers_point_inward(path: Path) -> None:
    module = _module(path)
    imports = _imports(path)
    if module.startswith("bot/domain/"):
        assert {i for i in imports if _ours(i) and not i.startswith("bot.domain")} == set()
    if module.startswith("bot/monitor/"):
        bad = {i for i in imports if _ours(i) and not i.startswith(("bot.domain", "bot.monitor"))}
        assert bad == set()
    if module.startswith("store/"):
        bad = {i for i in imports if _ours(i) and not i.startswith(("store", "bot.domain"))}
        assert bad == set()
    if module.startswith("bot/render/"):
        bad = {
            i
            for i in imports
            if _ours(i) and not i.startswith(("bot.reply", "bot.render", "bot.domain"))
        }
        assert bad == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_only_the_slack_edge_imports_slack(path: Path) -> None:
    module = _module(path)
    slack = {i for i in _imports(path) if i.split(".")[0] in ("slack_bolt", "slack_sdk")}
    if not module.startswith(SLACK_ALLOWED):
        assert slack == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_environment_read_only_in_config(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if _module(path) != "bot/config.py":
        assert "os.environ" not in text and "getenv" not in text


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_sql_lives_in_store(path: Path) -> None:
    if _module(path).startswith("store/"):
        return
    assert "sqlite3" not in _imports(path)
    # SQL is written in capitals throughout store/; prose such as "select a tier" is not SQL.
    text = path.read_text(encoding="utf-8")
    statements = re.findall(
        r"\bSELECT\b[^\n]*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bCREATE\s+TABLE\b|"
        r"\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b",
        text,
    )
    assert statements == []


LISTENERS = sorted((ROOT / "bot" / "slack" / "listeners").glob("*.py"))


@pytest.mark.parametrize("path", LISTENERS, ids=_module)
def test_listeners_never_reach_into_the_store(path: Path) -> None:
    # Listeners ack, call the commands layer, render, respond (STYLE.md 2).
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"\.store\b", text) == []
