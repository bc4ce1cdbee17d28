"""The bot as served: ingestion, scheduler, alerts and the weekly digest wired together."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.core.config import Settings
from bot.deps import Deps, build_deps
from bot.jobs.alerts import evaluate_once
from bot.jobs.digest import start_digest
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from store import Store
from tests.digest.test_forecast_peaks import spiky
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import Clock

ALERTS = "C0ALERTS"
INGEST = "ingest-token-for-tests"
# A Monday 09:05 in UTC: five minutes after the default `0 9 * * mon` digest.
MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


class _NoScheduler:
    """Collects jobs without running them: these tests fire the digest by hand."""

    def __init__(self) -> None:
        self.jobs: list[object] = []

    def add_job(self, *args: object, **kwargs: object) -> object:
        self.jobs.append((args, kwargs))
        return None


def _settings(slack: FakeSlack, path: str = ":memory:") -> Settings:
    return Settings(
        bot_token=slack.bot_token,
        signing_secret="secret",
        api_url=slack.api_url,
        alerts_channel=ALERTS,
        ingest_token=INGEST,
    )


@pytest.fixture
async def served(slack: FakeSlack) -> AsyncIterator[tuple[BotServer, Clock]]:
    clock = Clock(MONDAY)
    deps = build_deps(_settings(slack), store=Store(":memory:"), clock=clock)
    server = BotServer(deps, host="127.0.0.1", port=0)
    await server.start()
    yield server, clock
    await server.stop()
    deps.close()


async def test_healthz_reports_store_scheduler_and_metric_sources(
    served: tuple[BotServer, Clock],
) -> None:
    server, _ = served
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        async with http.get(f"http://127.0.0.1:{server.port}/healthz") as resp:
            body = await resp.json()
        async with http.get(f"http://127.0.0.1:{server.port}/metrics") as scraped:
            metrics = await scraped.text()
    assert resp.status == 200
    assert body["store"] is True and body["scheduler"] is True
    assert "metrics" in body
    # The event loop's worst lag of the last minute, measured all along; and its histogram.
    assert body["loop"]["lag_worst_ms"] >= 0 and body["loop"]["window_s"] == 60
    assert 'capacity_bot_loop_lag_seconds_bucket{le="+Inf"}' in metrics


async def test_pushed_samples_become_a_warning_in_the_alerts_channel(
    served: tuple[BotServer, Clock], slack: FakeSlack
) -> None:
    server, clock = served
    url = f"http://127.0.0.1:{server.port}/api/metrics"
    headers = {"Authorization": f"Bearer {INGEST}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        async with http.post(url, json={"samples": [{"metric": "mau", "value": 9000}]}) as r:
            assert r.status == 401
        body = {"samples": [{"metric": "mau", "value": 9000}]}
        async with http.post(url, json=body, headers=headers) as resp:
            assert resp.status == 200
            assert (await resp.json())["stored"] == 1
    evaluate_once(server.deps, clock())

    # The served outbox worker runs every few seconds on the bot's own scheduler.
    def warnings() -> list[str]:
        texts = [html.unescape(m.text) for m in slack.messages_in(ALERTS)]
        return [t for t in texts if t.startswith("Capacity warning")]

    (text,) = await slack.wait_for(warnings, timeout=10)
    assert "Demand is at Tier 2 (MAU 9,000 > 8,000), Tier 0 is built" in text


def _digest_deps(slack: FakeSlack, clock: Clock, path: str) -> Deps:
    settings = _settings(slack).model_copy(update={"db_path": path})
    return build_deps(settings, clock=clock)


async def _deliver(deps: Deps) -> None:
    poster = SlackPoster(
        make_client(deps.settings.bot_token.get_secret_value(), deps.settings.api_url)
    )  # type: ignore[union-attr]
    await Worker(deps.store, poster, deps.clock).run_once()


async def test_missed_digest_is_posted_once_with_its_chart(slack: FakeSlack, tmp_path) -> None:
    clock = Clock(MONDAY)
    path = str(tmp_path / "capacity.db")
    deps = _digest_deps(slack, clock, path)
    deps.store.metrics.add_rows(
        [("mau", (MONDAY - timedelta(days=d)).timestamp(), 500 + 20 * (28 - d)) for d in range(28)]
    )
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url))
    missed = start_digest(deps, poster, _NoScheduler())
    assert await missed() is not None
    await _deliver(deps)
    posts = [m for m in slack.messages_in(ALERTS) if not m.files]
    assert len(posts) == 1
    text = html.unescape(posts[0].text)
    # 1,060 users: past tier 1's trigger (MAU > 800), short of tier 2's (MAU > 8,000).
    assert "Demand tier: Tier 1: 10x Growth, at 1,060 MAU" in text
    assert "MAU > 8,000" in text and "+140 users/wk" in text
    # Both tiers, and a crossing date that says which statistic it was forecast from.
    assert "Built: Tier 0 (MVP Baseline)" in text and "(from daily peaks)" in text
    assert "Chart missing" not in posts[0].text
    charts = [f for f in slack.files.values() if f.name.endswith(".png")]
    assert len(charts) == 1 and charts[0].data.startswith(b"\x89PNG")
    deps.close()

    # A restart (new process state, same database) within the grace period posts nothing.
    again = _digest_deps(slack, clock, path)
    assert await start_digest(again, poster, _NoScheduler())() is None
    await _deliver(again)
    assert len([m for m in slack.messages_in(ALERTS) if not m.files]) == 1
    again.close()


async def test_posted_digest_dates_a_peaking_metric_from_its_peaks(
    slack: FakeSlack, tmp_path
) -> None:
    clock = Clock(MONDAY)
    deps = _digest_deps(slack, clock, str(tmp_path / "capacity.db"))
    spiky(deps, MONDAY)  # p95 ~300ms all day, a daily peak rising 10ms a day to 970ms
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url))
    await start_digest(deps, poster, _NoScheduler())()
    await _deliver(deps)
    (post,) = [m for m in slack.messages_in(ALERTS) if not m.files]
    text = html.unescape(post.text)
    # Peaks reach 1,000ms three days after today's 970ms; the mean never gets near it.
    assert "Thu 03 Dec 2026 (from daily peaks)" in text
    deps.close()


async def test_digest_still_goes_out_when_the_chart_upload_fails(
    slack: FakeSlack, tmp_path
) -> None:
    clock = Clock(MONDAY)
    deps = _digest_deps(slack, clock, str(tmp_path / "capacity.db"))
    slack.fail_next("files.getUploadURLExternal", error="not_allowed", times=5)
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url))
    await start_digest(deps, poster, _NoScheduler())()
    await _deliver(deps)
    (post,) = slack.messages_in(ALERTS)
    assert "Chart missing" in post.text
    deps.close()
