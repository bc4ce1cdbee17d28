"""The served CPU of one signed `/capacity tier 2`, before and after the third storey, side
by side in one run, and how many times each splits the request's text.

    python bench/bench_storey.py                 # the code before: c6097d2 (main before it)
    python bench/bench_storey.py --base REF --rounds 8 --per-round 400

The code before is checked out into a temporary git worktree (removed afterwards). Both
run `python -m bot serve` in a process of their own on 127.0.0.1 against one fake Slack;
the rounds alternate which goes first, each sends the same signed commands (10 at a time)
and reads the server's user+system CPU from /proc before and after. Prints the CPU per
request of each, and the ratio after/before (per round and its median): this machine's
noise is larger than 10%, so only the ratio measured side by side means anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SECRET, TOKEN, cpu_seconds, free_port, wait_healthy  # noqa: E402

from tests.fakeslack import FakeSlack, signed_headers, slash_command_body  # noqa: E402

BASE = "c6097d2"  # main just before the third storey


class Server:
    """`python -m bot serve` of the tree at `root` (its own working directory, so `-m bot`
    imports that tree's code)."""

    def __init__(self, name: str, root: Path, api_url: str) -> None:
        self.name, self.root, self.port = name, root, free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(root),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "CAPACITY_ALERTS_CHANNEL": "C0",
            "CAPACITY_DB": ":memory:",
            "PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def cpu(self) -> float:
        assert self.proc is not None
        return cpu_seconds(self.proc.pid)


async def load(http: aiohttp.ClientSession, server: Server, slack: FakeSlack, total: int) -> None:
    url = f"http://127.0.0.1:{server.port}/slack/events"
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            body = slash_command_body(
                "tier 2", response_url=slack.new_response_url(channel="C1", user_id="U1")
            )
            async with http.post(url, data=body, headers=signed_headers(SECRET, body)) as resp:
                assert resp.status == 200 and "Tier 2" in await resp.text(), resp.status

    await asyncio.gather(*(worker() for _ in range(10)))


def splits(root: Path) -> dict[str, dict[str, int]]:
    """bench/count_tokens.py run against the tree at `root`."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "count_tokens.py")],
        cwd=root,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, dict[str, int]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def bench(before: Path, rounds: int, per_round: int) -> None:
    connector = aiohttp.TCPConnector(limit=20)
    async with (
        FakeSlack(bot_token=TOKEN) as slack,
        aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http,
    ):
        with (
            Server("before", before, slack.api_url) as old,
            Server("after", ROOT, slack.api_url) as new,
        ):
            for server in (old, new):
                await wait_healthy(http, server.port)
                await load(http, server, slack, 100)  # warm up: imports, auth.test, the cache
            per_request: dict[str, list[float]] = {"before": [], "after": []}
            for number in range(rounds):
                order = (old, new) if number % 2 == 0 else (new, old)
                for server in order:
                    start = server.cpu
                    await load(http, server, slack, per_round)
                    per_request[server.name].append((server.cpu - start) / per_round)
    ratios = [a / b for a, b in zip(per_request["after"], per_request["before"], strict=True)]
    print(f"served CPU per signed `/capacity tier 2` ({rounds} rounds x {per_round} requests)")
    for name in ("before", "after"):
        values = per_request[name]
        print(
            f"  {name:<7} median {statistics.median(values) * 1e6:7.0f} us"
            f"  (rounds: {', '.join(f'{v * 1e6:.0f}' for v in values)})"
        )
    print(
        f"  ratio after/before: median {statistics.median(ratios):.2f}"
        f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print("text splits per request (first: its answer computed; later: kept)")
    for name, root in (("before", before), ("after", ROOT)):
        print(f"  {name:<7} {splits(root)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default=BASE, help="the commit before (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-storey-") as tmp:
        before = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.base],
            check=True,
            capture_output=True,
        )
        try:
            asyncio.run(bench(before, args.rounds, args.per_round))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
