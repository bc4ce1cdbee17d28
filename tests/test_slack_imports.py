"""Only listeners, notify/slack.py and app.py import Slack libraries (STYLE.md, rule 13)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = ("bot/listeners/", "bot/notify/slack.py", "bot/app.py")


def test_only_the_wiring_imports_slack_libraries() -> None:
    offenders = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "store").rglob("*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{rel}: {n}" for n in names if n.split(".")[0] in ("slack_bolt", "slack_sdk")
            ]
    assert offenders == []
