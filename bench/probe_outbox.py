"""Outbox edges as numbers: Slack answering after the client's timeout, and a kill with a
post in flight (reaching Slack or not). Runs the tree first on PYTHONPATH:

    PYTHONPATH=. python bench/probe_outbox.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from store import Store
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import Clock, make_deps


def push(deps, metric, value):
    deps.store.metrics.add_batch([Sample(metric=metric, at=deps.clock(), value=value)])


async def main():
    import bot

    print("tree:", Path(bot.__file__).parents[1])
    async with FakeSlack() as slack:
        # (a) Slack posts, answers after the client's timeout.
        clock = Clock()
        deps = make_deps(clock)
        push(deps, "mau", 9000)
        evaluate_once(deps, clock())
        slack.delay_next("chat.postMessage", 2)
        poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=1))
        await Worker(deps.store, poster, deps.clock, base_delay=0.05).run_once()
        await asyncio.sleep(2.5)
        print(
            "answer after the timeout: messages posted for 1 warning:",
            len(slack.messages_in("C_ALERTS")),
            deps.store.outbox.counts(),
        )
        slack.reset()
        # (b) killed with the request in flight: the row is left `sending`.
        for reached in (False, True):
            slack.reset()
            clock = Clock()
            db = Path(tempfile.mkdtemp()) / "c.db"
            deps = make_deps(clock, store=Store(db))
            push(deps, "mau", 9000)
            evaluate_once(deps, clock())
            (row,) = deps.store.outbox.due(clock())
            deps.store.outbox.mark_sending(row.id)
            if reached:
                p = SlackPoster(make_client(slack.bot_token, slack.api_url))
                from bot.notify.compose import load_payload

                pl = load_payload(row.payload)
                await p.post("C_ALERTS", pl.text, pl.blocks, dedup_key=row.dedup_key)
            deps.store.close()
            clock.advance(seconds=61)
            again = make_deps(clock, store=Store(db))
            w = Worker(again.store, SlackPoster(make_client(slack.bot_token, slack.api_url)), clock)
            await w.run_once()
            await w.run_once()
            print(
                f"killed mid-send, {'reached' if reached else 'never reached'} Slack; messages:",
                len(slack.messages_in("C_ALERTS")),
                again.store.outbox.counts(),
            )


asyncio.run(main())
