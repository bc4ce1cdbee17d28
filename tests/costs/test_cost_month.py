"""A month of bills through the real intake: a FOCUS export restated each morning over
POST /api/costs, the evaluation job, the outbox and the fake Slack. The API overruns from
day 12 to day 19: the forecast warning (80% of the budget) and the API's warning (>25%
over its plan) are each posted once, and both resolve once the costs fall back."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.commands import build_router
from bot.commands.tiers import live_plan
from bot.deps import Deps
from bot.jobs.alerts import evaluate_once
from bot.notify.compose import load_payload
from bot.notify.deliver import Worker
from bot.notify.slack import SlackPoster, make_client
from bot.render.text import render_text
from bot.web.costs import make_cost_routes
from tests.costs.conftest import costed_plan, deps_for
from tests.fakeslack import FakeSlack
from tests.support.metrics_helpers import TOKEN, Clock

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

START = datetime(2026, 11, 1, tzinfo=UTC)
HEADER = (
    "BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,"
    "ChargePeriodEnd,BilledCost,ProviderName,ServiceName\n"
)
# Each day's cost per service at a normal pace: $0.75 a day, $22.50 a month, against the
# $40 budget of Tier 0 (API planned $15, Database $10.50, Cache $4.50, Storage $5).
NORMAL = {"Amazon EC2": 0.30, "Amazon RDS": 0.25, "Amazon ElastiCache": 0.10, "Amazon S3": 0.10}
RULES = [
    {"service": "Amazon EC2", "component": "API"},
    {"service": "Amazon RDS", "component": "Database"},
    {"service": "Amazon ElastiCache", "component": "Cache"},
    {"service": "Amazon S3", "component": "Storage"},
]


def api_cost(day: int) -> float:
    """The API runs hot from day 12 to day 19 ($0.90 a day), then falls back."""
    return 0.90 if 12 <= day <= 19 else 0.30


def export(through: int) -> bytes:
    """The provider's month-to-date export: every day up to `through`, restated whole."""
    rows = [HEADER]
    for day in range(1, through + 1):
        start = START + timedelta(days=day - 1)
        for service, cost in NORMAL.items():
            amount = api_cost(day) if service == "Amazon EC2" else cost
            rows.append(
                f"123,USD,2026-11-01T00:00:00Z,Usage,{start:%Y-%m-%dT%H:%M:%SZ},"
                f"{start + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ},{amount:.2f},AWS,{service}\n"
            )
    return "".join(rows).encode()


async def _intake(deps: Deps) -> TestClient:
    app = web.Application()
    app.add_routes(make_cost_routes(deps))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


def _cost_messages(deps: Deps) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in deps.store.outbox.by_status("sent"):
        for alert in load_payload(row.payload).alerts:
            if alert.rule_id.startswith("cost."):
                counts[f"{row.kind}:{alert.rule_id}"] += 1
    return counts


async def test_an_overrunning_component_warns_once_and_resolves(slack: FakeSlack) -> None:
    clock = Clock(START + timedelta(hours=6))
    deps = deps_for(costed_plan(rules=RULES), clock)
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    worker = Worker(deps.store, poster, deps.clock, base_delay=0.01)
    client = await _intake(deps)
    fired_on: dict[str, int] = {}
    resolved_on: dict[str, int] = {}
    try:
        for day in range(2, 31):
            clock.now = START + timedelta(days=day - 1, hours=6)
            resp = await client.post(
                "/api/costs",
                data=export(day - 1),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert resp.status == 200, await resp.text()
            # The job runs every minute; two ticks past the 5-minute hold-down are enough.
            for minutes in (0, 6):
                evaluation = evaluate_once(deps, clock.now + timedelta(minutes=minutes))
                for event in evaluation.events:
                    seen = fired_on if event.kind == "firing" else resolved_on
                    seen.setdefault(event.rule_id, day)
            await worker.run_once()
        month = build_router().dispatch("spend", deps.context("U1"))
        counts = _cost_messages(deps)
        states = deps.store.alerts.states()
        built = live_plan(deps.context("U1")).built_tier
    finally:
        await client.close()
        deps.close()

    forecast, api = "cost.forecast.80.2026-11", "cost.component.api.2026-11"
    # Hand-worked: bills through day 17 give the API 8.70 so far plus its last week's
    # rate (0.30 + 6 x 0.90) / 7 for 13 days = 19.31 > 18.75 (15 x 1.25), and the month
    # 19.31 + 0.45 x 30 = 32.81 > 32 (80% of 40): both fire on day 18. Through day 21 the
    # API reads 11.10 + (5 x 0.90 + 2 x 0.30) / 7 x 9 = 17.66 and the month 31.16: both
    # resolve on day 22.
    assert fired_on == {forecast: 18, api: 18}
    assert resolved_on == {forecast: 22, api: 22}
    assert counts == {
        f"firing:{forecast}": 1,
        f"firing:{api}": 1,
        f"resolved:{forecast}": 1,
        f"resolved:{api}": 1,
    }
    # Never at 100% of the budget, nothing unassigned, the plan's cost threshold quiet.
    assert all(s.status != "firing" for s in states.values())
    texts = [m.text for m in slack.messages_in("C_ALERTS")]
    assert any("API forecast more than 25% over its planned $15/mo" in t for t in texts)
    assert any("month-end cost forecast over 80% of the Tier 0 budget ($32" in t for t in texts)
    # On day 30 the bills reach day 29: 29 x 0.75 + 8 x 0.60 (the overrun) = $26.55.
    assert "Total                    $40        $26.55" in render_text(month), render_text(month)
    assert built == 0
