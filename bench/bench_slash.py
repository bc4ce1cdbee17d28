"""Signed `/capacity tier 2` over loopback HTTP: the bot beside a bare Bolt app that only acks.

    python bench/bench_slash.py            # the full run (about a minute)
    python bench/bench_slash.py --quick    # fewer requests

Every server runs in its own process on 127.0.0.1; the load generator and the fake Slack
(auth.test, response_url) run here. Prints latency (p50/p99 of the HTTP answer), throughput,
the bot/bare ratio, RSS idle and after 10,000 commands, and time from start to a healthy
/healthz. Loops are bounded; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SECRET, Child, free_port, rss_mb, wait_healthy  # noqa: E402

from tests.fakeslack import FakeSlack, signed_headers, slash_command_body  # noqa: E402

LEVELS = (1, 10, 50)


# -- servers (run in a child process) ------------------------------------------------------------


def run_server(kind: str, port: int, api_url: str, pbr: bool) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp

    from bot.app.serve import BotServer
    from bot.app.web import build_web_app
    from bot.core.config import Settings
    from bot.deps import build_deps
    from bot.slack.app import build_client
    from store import Store

    settings = Settings(
        bot_token="xoxb-test", signing_secret=SECRET, api_url=api_url, alerts_channel="C0"
    )

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        deps = build_deps(settings, store=Store(":memory:"))
        if kind == "bare":
            bare = AsyncApp(
                client=build_client(settings), signing_secret=SECRET, process_before_response=pbr
            )

            async def only_ack(ack: AsyncAck) -> None:
                await ack()

            bare.command("/capacity")(only_ack)

            async def events(request: web.Request) -> web.Response:
                # Bolt out of the box: its own aiohttp adapter, parsing and verification.
                return await to_aiohttp_response(
                    await bare.async_dispatch(await to_bolt_request(request))
                )

            bare_app = build_web_app(deps, None)
            bare_app.router.add_post("/slack/events", events)
            runner = web.AppRunner(bare_app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            await stop.wait()
            await runner.cleanup()
        else:
            server = BotServer(
                deps,
                host="127.0.0.1",
                port=port,
                answer_in_ack=kind == "bot",
                process_before_response=pbr,
            )
            await server.start()
            await stop.wait()
            await server.stop()

    asyncio.run(main())


# -- load (here) -----------------------------------------------------------------------------


async def load(
    http: aiohttp.ClientSession, port: int, slack: FakeSlack, concurrency: int, total: int
) -> tuple[float, float, float]:
    """Send `total` signed commands, `concurrency` at a time: (req/s, p50 ms, p99 ms)."""
    url = f"http://127.0.0.1:{port}/slack/events"
    latencies: list[float] = []
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            body = slash_command_body(
                "tier 2", response_url=slack.new_response_url(channel="C1", user_id="U1")
            )
            headers = signed_headers(SECRET, body)
            start = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return total / elapsed, statistics.median(latencies) * 1000, p99 * 1000


async def bench(quick: bool) -> None:
    scale = 0.2 if quick else 1.0
    counts = {1: int(300 * scale), 10: int(1500 * scale), 50: int(3000 * scale)}
    me = [sys.executable, str(Path(__file__).resolve())]
    connector = aiohttp.TCPConnector(limit=100)
    async with (
        FakeSlack(bot_token="xoxb-test") as slack,
        aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http,
    ):
        print(
            f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python "
            f"{platform.python_version()}"
        )
        results: dict[tuple[str, bool, int], tuple[float, float, float]] = {}
        for pbr in (False, True):
            for kind in ("bare", "bot", "bot-respond"):
                port = free_port()
                args = [*me, "--serve", kind, "--port", str(port), "--api-url", slack.api_url]
                async with Child([*args, *(["--pbr"] if pbr else [])]):
                    await wait_healthy(http, port)
                    await load(http, port, slack, 10, 50)  # warm up (auth.test, imports)
                    for c in LEVELS:
                        results[(kind, pbr, c)] = await load(http, port, slack, c, counts[c])
        print("\nack latency and throughput, signed `/capacity tier 2`")
        print(
            f"{'server':<13}{'pbr':<6}{'conc':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'vs bare':>9}"
        )
        for pbr in (False, True):
            for kind in ("bare", "bot", "bot-respond"):
                for c in LEVELS:
                    rps, p50, p99 = results[(kind, pbr, c)]
                    ratio = rps / results[("bare", pbr, c)][0]
                    print(
                        f"{kind:<13}{pbr!s:<6}{c:>5}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{ratio:>9.2f}"
                    )

        # The real CLI: start-up to healthy, RSS idle and after 10,000 commands.
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "CAPACITY_ALERTS_CHANNEL": "C0",
            "CAPACITY_DB": ":memory:",
            "PORT": str(port),
        }
        started = time.perf_counter()
        async with Child([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"], env) as c:
            healthy = await wait_healthy(http, port)
            startup = time.perf_counter() - started
            assert c.proc is not None
            await load(http, port, slack, 10, 50)
            idle = rss_mb(c.proc.pid)
            n = 2_000 if quick else 10_000
            await load(http, port, slack, 10, n)
            after = rss_mb(c.proc.pid)
        print(
            f"\ncapacity-bot serve: healthy {startup * 1000:.0f} ms after spawn "
            f"(first /healthz poll answered {healthy * 1000:.0f} ms in)"
        )
        print(f"RSS idle (after warm-up) {idle:.1f} MB; after {n:,} commands {after:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", choices=("bare", "bot", "bot-respond"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-url", default="")
    parser.add_argument("--pbr", action="store_true", help="process_before_response=True")
    args = parser.parse_args()
    if args.serve:
        run_server(args.serve, args.port, args.api_url, args.pbr)
    else:
        asyncio.run(bench(args.quick))


if __name__ == "__main__":
    main()
