"""Every test ends: the suite's per-test timeout turns a hang into a failure with a
traceback in minutes, instead of a CI run held until its 90-minute limit."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_suite_has_a_per_test_timeout_of_minutes() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    timeout = int(options["ini_options"]["timeout"])
    assert 60 <= timeout <= 300


def test_a_hanging_test_fails_with_a_traceback(tmp_path: Path) -> None:
    """The repository's own configuration (its plugins, asyncio mode) with a short timeout:
    a test that waits forever on the event loop fails with the traceback of where it hung
    (here: the event loop, waiting)."""
    (tmp_path / "test_hangs.py").write_text(
        "import asyncio\n\n\nasync def test_waits_forever():\n    await asyncio.Event().wait()\n"
    )
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
            *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)),
            *("-o", "timeout=2", str(tmp_path / "test_hangs.py")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "Timeout" in run.stdout and "1 failed" in run.stdout, run.stdout[-2000:]
    # The traceback of where it was stuck, not just a verdict.
    assert "Failed: Timeout" in run.stdout and "run_until_complete" in run.stdout
