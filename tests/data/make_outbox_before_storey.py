"""Writes tests/data/outbox-before-storey.db with main's code as it was before the third
storey (c6097d2): outbox rows of every kind queued under the old payload format.

    git worktree add --detach /tmp/base c6097d2
    cd /tmp/base && PYTHONPATH=. python /path/to/make_outbox_before_storey.py OUT.db

Firing alerts on each route were delivered (to stand-ins), so the queued resolutions carry
their edit and reply to them; everything else is left queued.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.metrics_helpers import Clock
from tests.routes.helpers import routed_deps, with_severities, worker_for
from tests.routes.pdserver import ROUTING_KEY, PagerDutyReceiver
from tests.routes.smtpserver import SmtpServer

from bot.commands import build_router
from bot.commands.changes import PostConfirmation
from bot.domain.changes import ChangeDraft
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.compose import digest_payload
from bot.reload import apply_plan
from bot.reply import Reply, Text
from bot.slack.confirm import queue_confirmation
from store import Store
from tests.fakeslack import FakeSlack

ROUTER = build_router()


async def main(out: Path) -> None:
    out.unlink(missing_ok=True)
    clock = Clock()
    async with FakeSlack() as slack, PagerDutyReceiver() as pd:
        with SmtpServer("starttls") as smtp:
            deps = routed_deps(
                clock,
                severities={"error_rate_pct": "p0", "storage_pct": "p2"},
                store=Store(out),
                pagerduty_routing_key=ROUTING_KEY,
                pagerduty_url=pd.url,
                smtp_url=smtp.url(),
                email_from="bot@example.com",
                email_to=("ops@example.com",),
                bot_token=slack.bot_token,
                api_url=slack.api_url,
            )
            worker = worker_for(deps, slack, smtp.client_tls)

            def push(**values: float) -> None:
                deps.store.metrics.add_batch(
                    [Sample(metric=m, at=clock(), value=v) for m, v in values.items()]
                )

            high = {"error_rate_pct": 5, "storage_pct": 95, "db_connections": 95, "cost_usd": 70}
            for _ in range(6):  # past every `for`: fired on pagerduty, email and slack
                push(**high)
                evaluate_once(deps, clock())
                clock.advance(minutes=1)
            assert await worker.run_once() > 0, "nothing delivered"
            # resolved: pagerduty, email and slack (slack's with the edit of its message)
            push(error_rate_pct=0.1, storage_pct=10, db_connections=95, cost_usd=70)
            evaluate_once(deps, clock())
            # db_connections stays high: a reminder after 4 h
            for _ in range(26):
                clock.advance(minutes=10)
                push(error_rate_pct=0.1, storage_pct=10, db_connections=95, cost_usd=70)
                evaluate_once(deps, clock())
            # a new firing left queued, on slack
            push(api_p95_ms=5000)
            evaluate_once(deps, clock())
            # tier news: demand at tier 2, then tier 2 recorded as built
            push(mau=9000)
            evaluate_once(deps, clock())
            ROUTER.dispatch("built 2", deps.context(user_id="U0PLANNER"))
            clock.advance(minutes=1)
            push(mau=9000)
            evaluate_once(deps, clock())
            # the weekly digest
            reply = Reply(
                title="Capacity digest", parts=(Text("old digest from before the storey"),)
            )
            deps.store.outbox.enqueue(
                "digest:2026-W49",
                "digest",
                digest_payload(reply, "C_ALERTS", clock()).model_dump_json(),
                clock(),
            )
            # a change's confirmation
            draft = ChangeDraft(
                date=clock().date(),
                change="Moved to a bigger database",
                reason="storage",
                impact="+$20/mo",
            )
            with deps.store.transaction():
                change, _ = deps.store.changes.add(
                    draft, "U0PLANNER", "C_CHANGES", "form:1", clock()
                )
                effect = PostConfirmation(change=change, verb="logged", targets=("C_CHANGES",))
                queue_confirmation(deps.store, effect, clock())
            # a reload dropping a rule that fires: its resolution and the diff
            new = with_severities(deps.plan, cost_usd="p1")
            new = new.model_copy(
                update={
                    "thresholds": tuple(t for t in new.thresholds if t.rule.metric != "cost_usd")
                }
            )
            apply_plan(deps, new, None, by="U0PLANNER", now=clock())
            deps.store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
