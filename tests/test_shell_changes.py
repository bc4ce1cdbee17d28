"""`log` and `changes` in the shell, against the same CAPACITY_DB as Slack."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Store
from tests.test_shell import run


def test_shell_log_asks_each_field_reasks_bad_ones_and_stores(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    typed = "log Added pgbouncer\n2030-01-01\n2026-01-05\n\nbecause\n\nlots\n-5\n9\n2\nchanges\n"
    done = run("shell", stdin=typed, CAPACITY_DB=str(db))
    assert done.returncode == 0, done.stderr
    assert "more than a year ahead" in done.stdout
    assert "not a monthly amount" in done.stdout
    assert "no tier `9`" in done.stdout
    assert "Logged change #1" in done.stdout
    assert "Added pgbouncer" in done.stdout.split("Logged change #1", 1)[1]
    store = Store(db)
    [change] = store.changes.all()
    assert (str(change.cost_change), change.tier, change.recorded_by) == ("-5", 2, "terminal")
    store.close()


def test_end_of_input_during_log_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    done = run("shell", stdin="log\n2026-01-01\nSomething\n", CAPACITY_DB=str(db))
    assert "Nothing logged." in done.stdout
    store = Store(db)
    assert store.changes.count() == 0
    store.close()


def test_ask_changes_export_prints_the_markdown(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    run("shell", stdin="log\n2026-01-05\nA change\nA reason\n\n\n\n", CAPACITY_DB=db)
    done = run("ask", "changes export", CAPACITY_DB=db)
    assert done.returncode == 0
    assert done.stdout.splitlines()[:3] == [
        "| Date | Change | Reason | Impact |",
        "|------|--------|--------|--------|",
        "| 2026-01-05 | A change | A reason |  |",
    ]


def _bad_db(tmp_path: Path, kind: str) -> Path:
    if kind == "directory":
        path = tmp_path / "db-dir"
        path.mkdir()
    else:
        path = tmp_path / "passwd"
        path.write_text("root:x:0:0:root:/root:/bin/bash\n" * 20)
    return path


@pytest.mark.parametrize("kind", ["directory", "text file"])
@pytest.mark.parametrize("question", ["changes", "metric mau 5"])
def test_a_bad_capacity_db_is_one_configuration_line(
    tmp_path: Path, kind: str, question: str
) -> None:
    path = _bad_db(tmp_path, kind)
    done = run("ask", question, CAPACITY_DB=str(path))
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert "no database" not in done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"capacity-bot: configuration error: CAPACITY_DB: cannot open {path}")


def test_a_fresh_capacity_db_in_a_new_directory_is_created(tmp_path: Path) -> None:
    db = tmp_path / "new" / "capacity.db"
    done = run("ask", "changes", CAPACITY_DB=str(db))
    assert done.returncode == 0, done.stderr
    assert db.exists()


def test_shell_log_refuses_an_ambiguous_cost_and_reads_the_corrected_one(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    # `-25,50` was once stored as -$2,550/mo; `²` as a tier crashed the prompt.
    typed = "log Added a cache\n\n\nbecause\n\n-25,50\n-$25.50/mo\n²\n１\n"
    done = run("shell", stdin=typed, CAPACITY_DB=str(db))
    assert done.returncode == 0, done.stderr
    assert "`-25,50` is ambiguous: write -25.50 or -2,550." in done.stdout
    assert "`²` is not a plain digit; write `2`" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    store = Store(db)
    [change] = store.changes.all()
    assert (str(change.cost_change), change.tier) == ("-25.50", 1)
    store.close()
