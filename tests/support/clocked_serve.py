"""`capacity-bot serve` as tests need it: `python -m tests.support.clocked_serve
[START] [--refuse-loop-writes] --host 127.0.0.1 --port N`.

With START (e.g. 2026-11-30T09:00:30+00:00) the bot's clock starts at that instant and runs
on from there: tests that need a digest slot due at start (the catch-up draws its chart)
pass the slot's time instead of depending on the weekday and hour the suite happens to run
at. With `--refuse-loop-writes` every SQLite write from the event loop's thread fails ("not
authorized"): whatever still works wrote on a worker thread, never on the loop.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.app.serve import serve
from bot.core.config import ConfigError, load_settings
from bot.deps import Deps, utc_now

__all__ = ["REFUSE_LOOP_WRITES", "main"]

REFUSE_LOOP_WRITES = "--refuse-loop-writes"


def _clock_from(start: datetime) -> Callable[[], datetime]:
    began = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    return clock


def _refuse_loop_writes(deps: Deps) -> None:
    deps.store.refuse_writes_on_this_thread()


def main(argv: list[str]) -> int:
    host = argv[argv.index("--host") + 1] if "--host" in argv else "127.0.0.1"
    port = int(argv[argv.index("--port") + 1]) if "--port" in argv else None
    dated = bool(argv) and argv[0][:1].isdigit()
    clock = _clock_from(datetime.fromisoformat(argv[0])) if dated else utc_now
    on_loop = [_refuse_loop_writes] if REFUSE_LOOP_WRITES in argv else []
    try:
        return serve(load_settings(), port=port, host=host, clock=clock, on_loop=on_loop)
    except ConfigError as exc:
        print(f"capacity-bot: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
