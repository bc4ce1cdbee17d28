"""One outbox delivery in a process of its own that SIGKILLs itself at a chosen step.

    python -m tests.notify.delivery_child DB API_URL TOKEN STEP NOW_ISO

Steps: `start` (before anything), `marked` (`sending` committed, nothing sent), `answered`
(Slack posted and answered, `sent` not yet recorded), `recorded` (after `sent`). The step
`in_flight` is the parent's: it kills this process while the fake holds the answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime
from typing import Any

from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from store import Store


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Poster(SlackPoster):
    def __init__(self, step: str, *args: Any) -> None:
        super().__init__(*args)
        self.step = step

    async def post(self, *args: Any, **kwargs: Any) -> tuple[str, str]:
        result = await super().post(*args, **kwargs)
        if self.step == "answered":
            die()
        return result


async def main(db: str, api_url: str, token: str, step: str, now: str) -> None:
    if step == "start":
        die()
    store = Store(db)
    if step == "marked":
        mark = store.outbox.mark_sending

        def mark_then_die(row_id: int, **kwargs: Any) -> bool:
            mark(row_id, **kwargs)
            die()
            return True

        store.outbox.mark_sending = mark_then_die  # type: ignore[method-assign]
    poster = _Poster(step, make_client(token, api_url, timeout=60))
    at = datetime.fromisoformat(now)
    await Worker(store, poster, lambda: at).run_once()
    if step == "recorded":
        die()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
