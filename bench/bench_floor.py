"""How close is the bot to the framework's floor? Signed `/capacity tier 2`, side by side.

    python bench/bench_floor.py                 # 6 rounds (about a minute)
    python bench/bench_floor.py --profile DIR   # also cProfile both servers into DIR

Two servers, each its own process on 127.0.0.1: `capacity-bot serve` (the real CLI) and a
bare Bolt app at its fastest (bench/bare_bolt.py: process_before_response=True, acks "ok").
Round by round, alternating which goes first, each gets the same closed-loop load at 10
and at 50 requests in flight. Printed per server and level: throughput and p99 (medians
over rounds), server CPU per request (user + system time of the server process over all
rounds / requests), bot / bare, and the load generator's own CPU a request. The load
generator shares the machine's two CPUs with both servers (and, here, other jobs), so
server CPU a request is the steadiest figure; throughput follows it only when the server
is the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    Child,
    SlackProcess,
    bare_args,
    bot_env,
    cpu_seconds,
    free_port,
    percentiles,
    signed_command,
    wait_healthy,
)

LEVELS = {10: 1500, 50: 3000}


def raw_request(port: int) -> bytes:
    """One signed `/capacity tier 2` as the bytes of an HTTP/1.1 keep-alive request."""
    body, headers = signed_command("tier 2")
    head = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def load(port: int, concurrency: int, total: int) -> tuple[float, list[float]]:
    """`total` requests, `concurrency` connections each sending one at a time: (seconds,
    latencies in ms). A bare-bones client over raw sockets, so that the load generator
    costs far less CPU a request than the servers it measures (aiohttp's client costs
    about as much as the bare app, and would cap both at the same rate)."""
    requests = [raw_request(port) for _ in range(total)]
    latencies: list[float] = []
    todo = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in todo:
                start = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head[:80])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - start) * 1000)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def bench(rounds: int, profile: str | None) -> None:
    with SlackProcess() as slack, tempfile.TemporaryDirectory() as tmp:
        ports = {"bare": free_port(), "bot": free_port()}
        wrap = (
            (lambda kind: [sys.executable, "-m", "cProfile", "-o", f"{profile}/{kind}.prof"])
            if profile
            else (lambda kind: [sys.executable])
        )
        bare = [*wrap("bare"), *bare_args(ports["bare"], slack.api_url)[1:]]
        bot = [*wrap("bot"), "-m", "bot", "serve", "--host", "127.0.0.1"]
        env = bot_env(slack.api_url, ports["bot"], CAPACITY_DB=str(Path(tmp) / "floor.db"))
        connector = aiohttp.TCPConnector(limit=100)
        async with (
            Child(bare, env) as bare_child,
            Child(bot, env) as bot_child,
            aiohttp.ClientSession(connector=connector) as http,
        ):
            children = {"bare": bare_child, "bot": bot_child}
            for kind, child in children.items():
                await wait_healthy(http, ports[kind], child)
                await load(ports[kind], 10, 300)  # warm up
            rps: dict[tuple[str, int], list[float]] = {}
            p99: dict[tuple[str, int], list[float]] = {}
            cpu: dict[tuple[str, int], float] = {}
            client: dict[tuple[str, int], float] = {}  # the load generator's own CPU
            for n in range(rounds):
                order = ("bare", "bot") if n % 2 == 0 else ("bot", "bare")
                for concurrency, total in LEVELS.items():
                    for kind in order:
                        key = (kind, concurrency)
                        before = cpu_seconds(children[kind].pid)
                        mine = time.process_time()
                        seconds, latencies = await load(ports[kind], concurrency, total)
                        cpu[key] = cpu.get(key, 0.0) + cpu_seconds(children[kind].pid) - before
                        client[key] = client.get(key, 0.0) + time.process_time() - mine
                        rps.setdefault(key, []).append(total / seconds)
                        p99.setdefault(key, []).append(percentiles(latencies)[1])
                print(f"round {n + 1}/{rounds} done", file=sys.stderr)
        print(f"\nsigned `/capacity tier 2`, {rounds} alternating rounds (medians)")
        print(
            f"{'server':<7}{'in flight':>10}{'req/s':>9}{'p99 ms':>9}{'CPU µs/req':>12}"
            f"{'req/s vs bare':>15}{'p99 vs bare':>13}{'client µs/req':>15}"
        )
        for concurrency, total in LEVELS.items():
            base_rps = statistics.median(rps[("bare", concurrency)])
            base_p99 = statistics.median(p99[("bare", concurrency)])
            for kind in ("bare", "bot"):
                key = (kind, concurrency)
                r, p = statistics.median(rps[key]), statistics.median(p99[key])
                per = cpu[key] / (total * rounds) * 1e6
                theirs = client[key] / (total * rounds) * 1e6
                print(
                    f"{kind:<7}{concurrency:>10}{r:>9.0f}{p:>9.2f}{per:>12.0f}"
                    f"{r / base_rps:>15.2f}{p / base_p99:>13.2f}{theirs:>15.0f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--profile", metavar="DIR", help="run both servers under cProfile")
    args = parser.parse_args()
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    asyncio.run(bench(args.rounds, args.profile))


if __name__ == "__main__":
    main()
