"""Import sqlite_utils without the numpy and pandas support it loads when they are installed.

sqlite_utils imports numpy at import time (if it can) only to map numpy scalar types to
column types; the bot never stores numpy values, and numpy costs a served process about
11 MB and 70 ms at start. It is installed beside matplotlib (the digest chart), which draws
in a child process. So while sqlite_utils is first imported, numpy and pandas are made to
look absent; afterwards they import normally for anyone who wants them.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["import_sqlite_utils"]

_OPTIONAL = ("numpy", "pandas")


def import_sqlite_utils() -> None:
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" -> ImportError
    try:
        importlib.import_module("sqlite_utils")
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
