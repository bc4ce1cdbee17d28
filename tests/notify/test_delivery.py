"""From pushed samples to Slack: firing after `for`, resolve edits and threads, retries,
restarts, grouping, silences and reminders, against the fake Slack on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.monitor import Sample
from bot.notify.compose import load_payload
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client, slack_message
from bot.web.ingest import make_metrics_routes
from store import Store
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import TOKEN, Clock, make_deps
from tests.support.slack import worker_for

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CHANNEL = "C_ALERTS"


def push(deps: Deps, metric: str, value: float) -> None:
    deps.store.metrics.add_batch([Sample(metric=metric, at=deps.clock(), value=value)])


async def test_pushed_samples_warn_after_for_and_resolve_edits_and_threads(
    slack: FakeSlack,
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    app = web.Application()
    app.add_routes(make_metrics_routes(deps))
    async with TestClient(TestServer(app, host="127.0.0.1")) as http:

        async def send(value: float) -> None:
            body = {"samples": [{"metric": "error_rate_pct", "value": value}]}
            resp = await http.post(
                "/api/metrics", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert resp.status == 200

        await send(5)
        evaluate_once(deps, clock())
        await worker.run_once()
        assert slack.messages_in(CHANNEL) == []  # pending: `for` is 5 minutes
        for _ in range(5):
            clock.advance(minutes=1)
            await send(5)
            evaluate_once(deps, clock())
            await worker.run_once()
        (warning,) = await slack.wait_for(lambda: slack.messages_in(CHANNEL), timeout=5)
        assert "error_rate_pct" in (warning.text or "") and "held for 5m" in (warning.text or "")

        for _ in range(7):  # below threshold, then the 5-minute hold-down
            clock.advance(minutes=1)
            await send(0.5)
            evaluate_once(deps, clock())
            await worker.run_once()
    original = slack.message(CHANNEL, warning.ts)
    assert original is not None and original.edits
    assert "Resolved" in (original.text or "") and "✅" in (original.text or "")
    replies = [m for m in slack.messages_in(CHANNEL, thread_ts=warning.ts) if m.ts != warning.ts]
    assert len(replies) == 1 and "back to 0.5%" in (replies[0].text or "")
    assert len(slack.calls_to("chat.postMessage", ok=True)) == 2


async def test_rate_limit_and_server_error_then_delivered_once(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    slack.fail_next("chat.postMessage", status=500)
    worker = worker_for(deps, slack)
    # Each refusal queues the row for later instead of waiting inside the pass.
    assert await worker.run_once() == 0
    assert await worker.run_once() == 0  # not due yet: Retry-After is 1 s
    clock.advance(seconds=1)
    assert await worker.run_once() == 0  # the 500: the second quick retry, 2 x 0.05 s
    clock.advance(seconds=0.1)
    assert await worker.run_once() == 1
    assert len(slack.messages_in(CHANNEL)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert deps.store.outbox.counts() == {"sent": 1}


async def test_a_row_that_keeps_failing_stays_queued(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    slack.fail_next("chat.postMessage", status=500, times=10)
    assert await worker_for(deps, slack).run_once() == 0
    (row,) = deps.store.outbox.by_status("queued")
    assert row.next_attempt_at > clock() and "500" in (row.last_error or "")
    assert deps.store.outbox.due(clock()) == []


async def test_restart_between_queueing_and_sending_delivers_exactly_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    path = tmp_path / "capacity.db"
    first = make_deps(clock, store=Store(path))
    push(first, "mau", 9000)
    evaluate_once(first, clock())
    first.store.close()  # the process dies before the outbox worker ran

    again = make_deps(clock, store=Store(path))
    evaluate_once(again, clock.advance(minutes=1))  # same alert: nothing new queued
    worker = worker_for(again, slack)
    assert await worker.run_once() == 1
    assert await worker_for(again, slack).run_once() == 0
    assert len(slack.messages_in(CHANNEL)) == 1


async def test_a_row_caught_mid_send_that_never_reached_slack_is_sent_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    path = tmp_path / "capacity.db"
    deps = make_deps(clock, store=Store(path))
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    (row,) = deps.store.outbox.due(clock())
    deps.store.outbox.mark_sending(row.id)  # crash right after marking, before the request
    deps.store.close()

    again = make_deps(clock, store=Store(path))
    assert await worker_for(again, slack).run_once() == 1
    (message,) = slack.messages_in(CHANNEL)
    assert message.metadata == {
        "event_type": "capacity_bot_outbox",
        "event_payload": {"key": row.dedup_key},
    }
    assert again.store.outbox.counts() == {"sent": 1}


async def test_a_row_caught_after_slack_posted_is_reconciled_not_reposted(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    path = tmp_path / "capacity.db"
    deps = make_deps(clock, store=Store(path))
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    (row,) = deps.store.outbox.due(clock())
    deps.store.outbox.mark_sending(row.id)
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    payload = load_payload(row.payload)
    shown = slack_message(payload)
    _, ts = await poster.post(CHANNEL, shown["text"], shown["blocks"], dedup_key=row.dedup_key)
    deps.store.close()  # killed before `sent` was recorded

    again = make_deps(clock, store=Store(path))
    assert await worker_for(again, slack).run_once() == 0
    assert len(slack.messages_in(CHANNEL)) == 1
    assert again.store.outbox.get(row.id).ts == ts  # type: ignore[union-attr]
    assert again.store.alerts.message_for("tier1.mau", payload.alerts[0].fired_at) is not None


async def test_slack_answering_after_the_timeout_posts_once(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    slack.delay_next("chat.postMessage", 3)  # posted, answered after the client gave up
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=1))
    worker = Worker(deps.store, poster, deps.clock, base_delay=0.05)
    await worker.run_once()
    assert len(slack.messages_in(CHANNEL)) == 1
    assert deps.store.outbox.counts() == {"sent": 1}


async def test_without_history_access_an_unknown_row_is_never_posted_blind(
    slack: FakeSlack,
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    push(deps, "mau", 9000)
    evaluate_once(deps, clock())
    (row,) = deps.store.outbox.due(clock())
    deps.store.outbox.mark_unknown(row.id, "killed")
    slack.fail_next("conversations.history", error="missing_scope")
    worker = worker_for(deps, slack)
    assert await worker.run_once() == 0
    assert slack.messages_in(CHANNEL) == []
    assert deps.store.outbox.counts() == {"unknown": 1}
    await worker.run_once()  # the scope is there again
    assert len(slack.messages_in(CHANNEL)) == 1


async def test_three_rules_firing_together_post_one_message(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    push(deps, "mau", 90_000)
    evaluate_once(deps, clock())
    await worker_for(deps, slack).run_once()
    (message,) = slack.messages_in(CHANNEL)
    for tier in (1, 2):
        assert f"approaching Tier {tier}" in (message.text or "")
    gap = "Trigger reached: Tier 3 (MAU 90,000 &gt; 80,000), sized for Tier 3, Tier 0 is built"
    assert gap in (message.text or "")


async def test_a_grouped_message_is_edited_as_each_of_its_alerts_resolves(
    slack: FakeSlack,
) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    push(deps, "mau", 90_000)
    evaluate_once(deps, clock())
    await worker.run_once()
    (message,) = slack.messages_in(CHANNEL)

    async def settle(value: float) -> str:
        for _ in range(7):  # past the 5-minute hold-down
            clock.advance(minutes=1)
            push(deps, "mau", value)
            evaluate_once(deps, clock())
            await worker.run_once()
        shown = slack.message(CHANNEL, message.ts)
        assert shown is not None
        return shown.text or ""

    partly = await settle(9_000)  # tier 3's trigger clears; tiers 1 and 2 still hold
    assert partly.count("✅") == 1 and "approaching Tier 1" in partly
    # The resolution carried its edit, composed when the alert resolved.
    resolutions = [r for r in deps.store.outbox.by_status("sent") if r.kind == "resolved"]
    assert all(load_payload(r.payload).edit is not None for r in resolutions)
    settled = await settle(90)
    assert settled.count("✅") == 3 and settled.startswith("Resolved")


async def test_a_silenced_rule_stays_quiet(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    deps.store.alerts.silence("tier1.mau", clock() + timedelta(hours=2), "U_PLANNER", clock())
    push(deps, "mau", 900)
    evaluate_once(deps, clock())
    await worker_for(deps, slack).run_once()
    assert slack.messages_in(CHANNEL) == []
    assert deps.store.alerts.states()["tier1.mau"].status == "firing"
    # After the silence ends, the owed first announcement goes out.
    clock.advance(hours=2, minutes=1)
    push(deps, "mau", 900)
    evaluate_once(deps, clock())
    await worker_for(deps, slack).run_once()
    assert len(slack.messages_in(CHANNEL)) == 1


async def test_reminders_every_repeat_interval(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    for _ in range(9 * 6):  # nine hours, a sample and a tick every ten minutes
        push(deps, "error_rate_pct", 5)
        evaluate_once(deps, clock())
        await worker.run_once()
        clock.advance(minutes=10)
    texts = [m.text or "" for m in slack.messages_in(CHANNEL)]
    assert len(texts) == 3
    assert texts[0].startswith("Capacity warning") and texts[1].startswith("Still firing")
    assert texts[2].startswith("Still firing")  # at 4h and at 8h


async def test_a_tier_gap_is_said_once_not_every_four_hours(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    worker = worker_for(deps, slack)
    for _ in range(9 * 6):
        push(deps, "mau", 900)
        evaluate_once(deps, clock())
        await worker.run_once()
        clock.advance(minutes=10)
    (message,) = slack.messages_in(CHANNEL)
    gap = "Trigger reached: Tier 1 (MAU 900 &gt; 800), sized for Tier 1, Tier 0 is built"
    assert gap in (message.text or "")


def queued_alert(deps: Deps) -> int:
    push(deps, "mau", 9000)
    evaluate_once(deps, deps.clock())
    (row,) = deps.store.outbox.due(deps.clock())
    return row.id


class _HeldPoster(SlackPoster):
    """Posts through `inner` once `release` is set: a request in flight at shutdown."""

    def __init__(self, inner: SlackPoster) -> None:
        super().__init__(inner.client)
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def post(self, *args: Any, **kwargs: Any) -> tuple[str, str]:
        self.started.set()
        await self.release.wait()
        return await super().post(*args, **kwargs)


async def test_a_row_waiting_to_retry_is_queued_not_sending(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    row_id = queued_alert(deps)
    slack.fail_next("chat.postMessage", status=429, retry_after=20)
    worker = worker_for(deps, slack)
    assert await worker.run_once() == 0  # returns at once: no wait inside the pass
    row = deps.store.outbox.get(row_id)
    assert row is not None and row.status == "queued"
    assert row.next_attempt_at - clock() == timedelta(seconds=20)  # Retry-After honoured
    clock.advance(seconds=20)
    assert await worker.run_once() == 1


async def test_retries_come_quickly_then_further_apart(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    row_id = queued_alert(deps)
    slack.fail_next("chat.postMessage", status=500, times=7)
    worker = Worker(deps.store, worker_for(deps, slack).posters["slack"], clock)
    gaps = []
    for _ in range(7):
        assert await worker.run_once() == 0
        row = deps.store.outbox.get(row_id)
        assert row is not None and row.status == "queued"
        gaps.append((row.next_attempt_at - clock()).total_seconds())
        clock.now = row.next_attempt_at
    assert gaps == [0.5, 1.0, 2.0, 10.0, 20.0, 40.0, 80.0]
    assert await worker.run_once() == 1


async def test_a_stop_after_a_refused_attempt_loses_nothing(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = Clock()
    path = tmp_path / "capacity.db"
    deps = make_deps(clock, store=Store(path))
    queued_alert(deps)
    slack.fail_next("chat.postMessage", status=429, retry_after=30)
    worker = worker_for(deps, slack)
    worker.kick()  # as the scheduler's job does
    for _ in range(100):  # bounded: the pass ends by itself after the 429
        if slack.calls_to("chat.postMessage") and not worker.in_flight:
            break
        await asyncio.sleep(0.01)
    assert await worker.drain(timeout=1)  # nothing in flight, no wait to cut short
    deps.store.close()

    again = make_deps(clock, store=Store(path))
    later = worker_for(again, slack)
    assert later.recover() == []  # nothing left `sending`, so nothing parked
    clock.advance(seconds=30)
    assert await later.run_once() == 1
    assert len(slack.messages_in(CHANNEL)) == 1
    assert again.store.outbox.counts() == {"sent": 1}


async def test_a_kick_while_a_pass_runs_starts_no_second_one(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    row_id = queued_alert(deps)
    poster = _HeldPoster(SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5)))
    worker = Worker(deps.store, poster, clock)
    worker.kick()
    await asyncio.wait_for(poster.started.wait(), 5)
    worker.kick()  # the scheduler's next tick while Slack has not answered
    worker.kick()
    poster.release.set()
    assert await worker.drain(timeout=5)  # lets the request finish and ends the pass
    assert deps.store.outbox.get(row_id).status == "sent"  # type: ignore[union-attr]
    assert len(slack.calls_to("chat.postMessage")) == 1
    worker.kick()  # stopped: no new pass
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_drain_lets_a_request_in_flight_finish(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    row_id = queued_alert(deps)
    poster = _HeldPoster(SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5)))
    worker = Worker(deps.store, poster, clock)
    run = asyncio.ensure_future(worker.run_once())
    await asyncio.wait_for(poster.started.wait(), 5)
    assert worker.in_flight
    drained = asyncio.ensure_future(worker.drain(timeout=5))
    for _ in range(5):
        await asyncio.sleep(0)  # let drain run as far as it can without Slack's answer
    assert not drained.done()  # waits for Slack's answer
    poster.release.set()
    assert await asyncio.wait_for(drained, 5)
    assert await run == 1
    assert deps.store.outbox.get(row_id).status == "sent"  # type: ignore[union-attr]
    assert len(slack.messages_in(CHANNEL)) == 1


async def test_drain_gives_up_after_its_timeout(slack: FakeSlack) -> None:
    clock = Clock()
    deps = make_deps(clock)
    queued_alert(deps)
    poster = _HeldPoster(SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5)))
    worker = Worker(deps.store, poster, clock)
    run = asyncio.ensure_future(worker.run_once())
    await asyncio.wait_for(poster.started.wait(), 5)
    assert await worker.drain(timeout=0.1) is False
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
