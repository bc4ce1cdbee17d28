"""Which process holds a claim, and whether that process is still alive.

A claim in the shared database (a digest slot) names its holder as `host:pid:start`, the
start being the process's start time as the kernel counts it, so a pid the system reused
for another process is not taken for the holder. A holder on this host that is gone (a
SIGKILL, a crash, a restart) has left its claim behind: it may be taken again at once,
instead of after the claim's lease. A holder on another host is judged by the lease alone.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

__all__ = ["gone", "this_process"]


def _start_of(pid: int) -> str | None:
    """The start time of `pid` (field 22 of /proc/PID/stat); None when there is no such
    process, "" where /proc does not say (not Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


@cache
def this_process() -> str:
    """This process as a claim's holder: `host:pid:start`."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_of(pid) or ''}"


def gone(holder: str) -> bool:
    """Whether the process `holder` names is known to have ended: on this host, and no
    process with its pid and start time runs. False when that cannot be known here."""
    host, _, rest = holder.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    if holder == this_process():
        return False
    now = _start_of(int(pid_text))
    if now is None:
        return True
    if now == "":  # no /proc: is anything with that pid alive?
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    return bool(start) and now != start
