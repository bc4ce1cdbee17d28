"""`capacity-bot serve` whose clock starts at a chosen instant and runs on from there:
`python -m tests.support.clocked_serve 2026-11-30T09:00:30+00:00 --host 127.0.0.1 --port N`.

Tests that need a digest slot due at start (the catch-up draws its chart) pass the slot's
time instead of depending on the weekday and hour the suite happens to run at.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

from bot.app.serve import serve
from bot.core.config import ConfigError, load_settings

__all__ = ["main"]


def main(argv: list[str]) -> int:
    start, rest = datetime.fromisoformat(argv[0]), argv[1:]
    host = rest[rest.index("--host") + 1] if "--host" in rest else "127.0.0.1"
    port = int(rest[rest.index("--port") + 1]) if "--port" in rest else None
    began = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    try:
        return serve(load_settings(), port=port, host=host, clock=clock)
    except ConfigError as exc:
        print(f"capacity-bot: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
