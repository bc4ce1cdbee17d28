"""`capacity-bot ask` exit codes as the README documents them: 0 for an answer, 2 for bad
input (the message on stderr), 1 when something broke on our side; never a traceback for
input, however it is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import Store
from tests.test_shell import run


@pytest.mark.parametrize("text", ["tier ²", "changes ①", "changes delete ٣", "scenario 𝟚"])
def test_digit_like_input_is_bad_input_not_a_crash(text: str, tmp_path: Path) -> None:
    done = run("ask", text, CAPACITY_DB=str(tmp_path / "c.db"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Sorry" not in done.stderr
    assert "in digits 0-9" in done.stderr


def test_tier_zero_and_a_no_break_space_answer(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    baseline = run("ask", "tier 0", CAPACITY_DB=db)
    assert baseline.returncode == 0 and "Monthly budget: $40/mo" in baseline.stdout
    spaced = run("ask", "tier\u00a02", CAPACITY_DB=db)
    assert spaced.returncode == 0 and "$95/mo -> $415/mo" in spaced.stdout


def test_an_internal_fault_exits_1_not_2(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:  # a damaged database: the bot's fault, not the input's
        conn.execute("DROP TABLE changes")
    done = run("ask", "changes", CAPACITY_DB=str(db))
    assert done.returncode == 1, done.stderr
    assert "Sorry, something went wrong" in done.stderr and done.stdout == ""


def test_ask_log_exits_2_and_points_to_the_shell_writing_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    done = run("ask", "log Added 2nd API container", CAPACITY_DB=str(db))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "capacity-bot shell" in done.stderr and "Nothing logged" in done.stderr
    store = Store(db)
    try:
        assert store.changes.count() == 0
    finally:
        store.close()
