"""Memory over a long run: signed `/capacity` commands driven in-process through the bot's
real intake (signature, replay memory), Bolt, the listeners and the answer cache, with
RSS read at checkpoints.

    python bench/bench_memory.py                 # 500,000 commands (several minutes)
    python bench/bench_memory.py --total 50000   # a quick look

Plan-only commands with varied arguments (every `cost N` is a new answer-cache key), so
nothing leaves the process: they are answered in the ack. Prints RSS idle (built, before
the first command), after each checkpoint, and idle again after the run twice, side by
side: pruned only, then after the bot's idle job (a collection and glibc's malloc_trim).
Bounded by its count; no network.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import hmac
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from multidict import CIMultiDict  # noqa: E402

from tests.fakeslack import slash_command_body  # noqa: E402

SECRET = "bench-memory-secret"
BATCH = 200
COMMANDS = (
    "tier {n3}",
    "cost {n}",
    "breakeven {p}",
    "compute {r}",
    "connections {c} 4",
    "storage {n}",
    "targets",
    "tiers",
    "help",
    "scenario",
    "frobnicate {n}",
    "cost per user",
    "tier {p}",
)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class Request:
    """What Intake.handle reads of an aiohttp request: headers, the body, the query."""

    def __init__(self, body: bytes, headers: CIMultiDict[str]) -> None:
        self._body = body
        self.headers = headers
        self.content_length = len(body)
        self.query_string = ""
        self.remote = "127.0.0.1"
        self.path = "/slack/events"
        self.method = "POST"

    async def read(self) -> bytes:
        return self._body


def signed(body: bytes) -> CIMultiDict[str]:
    stamp = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return CIMultiDict(
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=" + mac.hexdigest(),
        }
    )


def text_for(i: int) -> str:
    template = COMMANDS[i % len(COMMANDS)]
    return template.format(
        n3=i % 4, n=1 + (i * 7919) % 200_000, p=1 + i % 500, r=1 + i % 2000, c=1 + i % 50
    )


async def run(total: int, checkpoints: list[int]) -> dict[str, Any]:
    from slack_sdk.web.async_slack_response import AsyncSlackResponse

    from bot.app.web import release
    from bot.core.config import Settings
    from bot.deps import build_deps
    from bot.slack.app import build_app, remember_auth_test
    from bot.slack.intake import MAX_SKEW, Intake
    from store import Store

    settings = Settings(
        bot_token="xoxb-bench",
        signing_secret=SECRET,
        alerts_channel="C0",
        api_url="http://127.0.0.1:9/api/",
    )
    deps = build_deps(settings, store=Store(":memory:"))
    app = build_app(deps)
    # serve seeds Bolt with its start-up auth.test; so does the bench (nothing leaves).
    remember_auth_test(
        app,
        AsyncSlackResponse(
            client=app.client,
            http_verb="POST",
            api_url="auth.test",
            req_args={},
            data={"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "bot"},
            headers={},
            status_code=200,
        ),
    )
    offset = [0.0]
    intake = Intake(app, SECRET, clock=lambda: time.time() + offset[0])
    gc.collect()
    figures: dict[str, Any] = {"idle_before": rss_mb(), "at": {}}
    started = time.perf_counter()

    async def one(i: int) -> None:
        body = slash_command_body(text_for(i), trigger_id=f"{i}.bench")
        answer = await intake.handle(Request(body, signed(body)))  # type: ignore[arg-type]
        if answer.status != 200:
            raise SystemExit(f"command {i} answered {answer.status}")

    # Bolt polls for the ack every 10 ms, so commands run BATCH at a time, as a busy
    # workspace sends them; the checkpoints fall on batch ends.
    for start in range(1, total + 1, BATCH):
        end = min(start + BATCH - 1, total)
        await asyncio.gather(*(one(i) for i in range(start, end + 1)))
        if any(start <= c <= end for c in checkpoints):
            figures["at"][end] = rss_mb()
            print(f"{end:>9,} commands: RSS {figures['at'][end]:.1f} MB", flush=True)
    figures["seconds"] = time.perf_counter() - started
    # Idle minutes: the replay memory's entries pass their ttl and the idle job drops them.
    offset[0] = MAX_SKEW + 120.0
    intake.replays.prune()
    intake.events.prune()
    # Side by side in one run: idle without the fix (pruned only), then the served app's
    # idle job (bot/app/web.py: release: the kept answers dropped, a collection and
    # glibc's malloc_trim) on the same heap.
    figures["idle_untrimmed"] = rss_mb()
    figures["trimmed"] = release(deps.registry)
    figures["idle_after"] = rss_mb()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total", type=int, default=500_000)
    args = parser.parse_args()
    from bot.jobs.trim import limit_malloc_arenas

    limit_malloc_arenas()  # as `serve` does, before any thread
    total = args.total
    checkpoints = [total * k // 10 for k in range(1, 11)]
    figures = asyncio.run(run(total, checkpoints))
    first = min(figures["at"], key=lambda n: abs(n - total // 5))
    total = max(figures["at"])
    print(f"idle RSS before: {figures['idle_before']:.1f} MB")
    at_first, at_total = figures["at"][first], figures["at"][total]
    print(f"RSS after {first:,}: {at_first:.1f} MB; after {total:,}: {at_total:.1f} MB")
    print(f"growth {first:,} -> {total:,}: {figures['at'][total] - figures['at'][first]:+.1f} MB")
    before, untrimmed, after = (
        figures["idle_before"],
        figures["idle_untrimmed"],
        figures["idle_after"],
    )
    how = "collected, malloc_trim" if figures["trimmed"] else "collected; no glibc, no trim"
    print(f"idle RSS after, pruned only (without the fix): {untrimmed:.1f} MB")
    print(f"idle RSS after, idle job ({how}): {after:.1f} MB")
    print(
        f"ratio to idle before: without {untrimmed / before:.3f}, with {after / before:.3f}; "
        f"given back {untrimmed - after:.1f} MB"
    )
    print(f"{total / figures['seconds']:,.0f} commands/s")


if __name__ == "__main__":
    main()
