"""A standalone change-log server for the crash test: `python change_server.py DB API_URL`.

Prints the port it listens on (127.0.0.1), then serves until killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store import Store
from tests.slack.harness import SECRET, build_app, web_app


async def main(db: str, api_url: str) -> None:
    from bot.core.config import Settings
    from bot.deps import Deps, utc_now
    from bot.planio.planfile import default_plan

    settings = Settings(signing_secret=SECRET, bot_token="xoxb-test")
    deps = Deps(settings, default_plan(), utc_now, Store(db))
    runner = web.AppRunner(web_app(build_app(api_url, deps)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
