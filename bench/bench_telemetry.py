"""What the bot's own metrics and log context add to a slash command, in-process.

    python bench/bench_telemetry.py

Side by side in one run: Bolt's dispatch of a signed `/capacity tier 2` through the bot's
app (the served settings: process_before_response, answer in the ack), bare and wrapped
in the request scope of the served web app (log context, ack histogram); and that scope
plus the command counter alone. Prints the median of several rounds of N calls each.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt.request.async_request import AsyncBoltRequest  # noqa: E402

from bot.commands import build_router  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.deps import build_deps  # noqa: E402
from bot.reply import Reply  # noqa: E402
from bot.slack.app import build_app, remember_auth_test  # noqa: E402
from bot.slack.middleware import count_command, request_scope  # noqa: E402
from store import Store  # noqa: E402
from tests.fakeslack import FakeSlack, signed_headers, slash_command_body  # noqa: E402

SECRET = "bench-secret"
N = 2000
ROUNDS = 7


async def main() -> None:
    async with FakeSlack() as slack:
        settings = Settings(bot_token=slack.bot_token, signing_secret=SECRET, api_url=slack.api_url)
        deps = build_deps(settings, store=Store(":memory:"))
        app = build_app(deps, process_before_response=True)
        remember_auth_test(app, await app.client.auth_test())
        body = slash_command_body("tier 2").decode()

        def request() -> AsyncBoltRequest:
            headers = signed_headers(SECRET, body.encode())
            return AsyncBoltRequest(body=body, headers={k.lower(): [v] for k, v in headers.items()})

        async def bare() -> None:
            await app.async_dispatch(request())

        async def scoped() -> None:
            req = request()
            with request_scope(deps.telemetry, req.body):
                await app.async_dispatch(req)

        router, reply, parsed = build_router(), Reply(title="x"), request().body

        async def scope_only() -> None:
            with request_scope(deps.telemetry, parsed):
                pass
            count_command(deps.telemetry, router, "tier 2", reply)

        async def per_call(work) -> float:  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            for _ in range(N):
                await work()
            return (time.perf_counter() - started) / N * 1e6

        results: dict[str, list[float]] = {"bare": [], "scoped": [], "scope": []}
        for _ in range(ROUNDS):
            results["bare"].append(await per_call(bare))
            results["scoped"].append(await per_call(scoped))
            results["scope"].append(await per_call(scope_only))
        med = {k: statistics.median(v) for k, v in results.items()}
        print(f"Bolt dispatch of /capacity tier 2, bot app:      {med['bare']:7.1f} us")
        print(f"  the same inside the request scope:            {med['scoped']:7.1f} us")
        print(f"request scope + command counter alone:          {med['scope']:7.1f} us")
        print(f"ratio scoped / bare: {med['scoped'] / med['bare']:.3f}")
        print(f"scope + counter as a share of the dispatch: {med['scope'] / med['bare']:.1%}")
        deps.close()


if __name__ == "__main__":
    asyncio.run(main())
