"""Every reader of issue 22 is linear: 100,000 characters of its worst input end quickly.
Each runs in a child process killed after a generous bound, so a reader gone quadratic
fails here with its name instead of hanging the suite (a hang guard, not a benchmark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.planio.worst_inputs import CASES

ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 60  # linear work here takes well under a second; quadratic takes hours


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_reader_ends_on_100000_characters_of_its_worst_input(case: str) -> None:
    try:
        run = subprocess.run(
            [sys.executable, "-m", "tests.planio.worst_inputs", case],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BOUND_SECONDS,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child
        pytest.fail(f"{case}: still running after {BOUND_SECONDS}s on 100,000 characters")
    assert run.returncode == 0, run.stderr[-2000:]
