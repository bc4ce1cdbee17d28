"""Outbox delivery throughput: the worker's store calls on worker threads (what the bot
does) against the same calls made in place on the event loop (what it did before issue
19's item 1), side by side in one run.

Each run queues ROWS digest-sized messages in a fresh SQLite file (WAL) and times one
delivery pass (`Worker.run_once`) that sends them all. Two posters: one that answers at
once (the pass is nothing but its store calls: the worst case for the threads' cost) and
the fake Slack over HTTP on 127.0.0.1, in a process of its own (a real chat.postMessage
each, still far quicker than Slack). Runs alternate between the two ways; medians and
their ratio are printed.

    python bench/bench_outbox.py [--rows 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TOKEN, SlackProcess

from bot.core.offload import Run, in_place, in_thread
from bot.notify.compose import Payload, digest_payload
from bot.notify.deliver import Worker
from bot.notify.ledger import Ledger
from bot.notify.poster import Message, Poster, Sent
from bot.notify.slack import SlackPoster, make_client
from bot.reply import Facts, Reply
from store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHANNEL = "C_ALERTS"


class Instant:
    """A route that takes every message at once."""

    route = "slack"
    can_find = False
    resend_safe = False

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, message: Message) -> Sent:
        self.sent += 1
        return Sent(CHANNEL, f"{self.sent}.000")

    async def find(self, message: Message) -> Sent | None:
        return None

    async def mark_resolved(self, original: Sent, payload: Payload) -> None:
        return None


def queued(rows: int) -> Store:
    store = Store(Path(tempfile.mkdtemp()) / "capacity.db")
    facts = tuple((f"line {i}", f"value {i}") for i in range(12))
    for i in range(rows):
        reply = Reply(title=f"Capacity digest {i}", parts=(Facts(facts),))
        payload = digest_payload(reply, CHANNEL, NOW)
        store.outbox.enqueue(f"digest:{i}", "digest", payload.model_dump_json(), NOW)
    return store


async def one_pass(rows: int, poster: Poster, run: Run) -> float:
    """Messages sent a second by one pass over `rows` due rows."""
    store = queued(rows)
    try:
        worker = Worker(store, poster, lambda: NOW)
        worker.ledger = Ledger(store, run)
        began = time.perf_counter()
        sent = await worker.run_once(limit=rows)
        took = time.perf_counter() - began
        assert sent == rows, (sent, rows)
        return rows / took
    finally:
        store.close()


async def main(rows: int, repeat: int) -> None:
    ways: dict[str, Run] = {"on the loop (before)": in_place, "worker threads": in_thread}
    with SlackProcess() as slack:
        posters: dict[str, Callable[[], Poster]] = {
            "instant poster": Instant,
            "fake Slack over HTTP": lambda: SlackPoster(make_client(TOKEN, slack.api_url)),
        }
        for poster_name, make in posters.items():
            rates: dict[str, list[float]] = {way: [] for way in ways}
            await one_pass(rows // 4, make(), in_place)  # warm up
            for _ in range(repeat):
                for way, run in ways.items():
                    rates[way].append(await one_pass(rows, make(), run))
            before, after = (statistics.median(rates[w]) for w in ways)
            print(f"{poster_name}: {rows} rows a pass, median of {repeat}")
            for way in ways:
                low, high = min(rates[way]), max(rates[way])
                print(
                    f"  {way:22} {statistics.median(rates[way]):8.0f} msg/s ({low:.0f}-{high:.0f})"
                )
            print(f"  ratio (threads / loop) {after / before:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.repeat))
