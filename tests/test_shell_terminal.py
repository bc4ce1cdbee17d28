"""The terminal is a terminal: answers fit its width (`shutil.get_terminal_size`, read
from a real pseudo-terminal here), the shell speaks no Slack words, `clear` clears, and
`cost` hints at the right form for money, `per user` and numbers in words."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.shell import ask

ROOT = Path(__file__).resolve().parents[1]


def shell_in_a_terminal(lines: str, columns: int, tmp_path: Path) -> str:
    """`capacity-bot shell` on a pseudo-terminal `columns` wide; what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "HOME": str(tmp_path),
        "TERM": "xterm",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "shell"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    os.write(master, lines.encode())
    shown = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and b"bye" not in shown:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    shown += os.read(master, 65536)
                except OSError:
                    break
    finally:
        proc.kill()
        proc.wait(timeout=10)
        os.close(master)
    return shown.decode("utf-8", "replace").replace("\r\n", "\n")


def test_help_in_an_80_column_terminal_fits_and_speaks_the_terminals_words(
    tmp_path: Path,
) -> None:
    shown = shell_in_a_terminal("help\nclear\ncost 5000\nquit\n", 80, tmp_path)
    assert "Every command with an example" in shown and "bye" in shown
    too_wide = [line for line in shown.splitlines() if len(line) > 80]
    assert too_wide == []
    assert "opens a form" not in shown and "share them" not in shown
    assert "asks for each field" in shown and "`clear` to clear the screen" in shown
    assert "I don't know `clear`" not in shown and "\x1b[H\x1b[2J" in shown
    assert "Sized for:" in shown


def test_a_wider_terminal_keeps_the_table(tmp_path: Path) -> None:
    shown = shell_in_a_terminal("help\nquit\n", 240, tmp_path)
    assert "Command" in shown and "What it answers" in shown and "Example" in shown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("cost $5000", "`$5000` is an amount of money; `cost` takes a number of users"),
        ("cost 5000$", "is an amount of money"),
        ("cost per user", "`cost` on its own gives the cost per user of every tier"),
        ("cost five thousand", "Write the number of users in digits: `cost 5000`"),
    ],
)
def test_cost_hints_at_the_right_form(text: str, says: str, tmp_path: Path) -> None:
    out, error = io.StringIO(), io.StringIO()
    code = ask(text, Settings(db_path=tmp_path / "capacity.db"), out, error)
    err = error.getvalue()
    assert code == 2 and says in err
    assert "is not an amount of money" not in err and "is extra" not in err
