"""Who may write, from a terminal: the shell and `ask` ask as the user `terminal`, so with
CAPACITY_PLANNERS set they write only when `terminal` is listed; reading stays open."""

from __future__ import annotations

from pathlib import Path

from tests.test_shell import run


def test_the_terminal_writes_only_when_listed_among_the_planners(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    refused = run("ask", "metric mau 5", CAPACITY_PLANNERS="U1", CAPACITY_DB=db)
    assert refused.returncode == 2 and "CAPACITY_PLANNERS" in refused.stderr
    read = run("ask", "tier 1", CAPACITY_PLANNERS="U1", CAPACITY_DB=db)
    assert read.returncode == 0 and "$40/mo -> $95/mo" in read.stdout
    allowed = run("ask", "metric mau 5", CAPACITY_PLANNERS="U1,terminal", CAPACITY_DB=db)
    assert allowed.returncode == 0 and "Recorded mau = 5" in allowed.stdout
