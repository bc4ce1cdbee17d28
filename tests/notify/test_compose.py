"""What an alert message says, decided without any I/O."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from bot.domain.plan import Plan
from bot.monitor import Sample, evaluate, group_events
from bot.monitor.rules_from_plan import rules_from_plan
from bot.notify.compose import alert_payload, decide
from bot.notify.slack import slack_message
from tests.fakeslack import validate_blocks
from tests.support.metrics_helpers import T0


def fire(plan: Plan, metric: str, value: float, minutes: int = 0) -> list:  # type: ignore[type-arg]
    rules = rules_from_plan(plan)
    samples = {metric: [Sample(metric=metric, at=T0, value=value)]}
    first = evaluate(rules, samples, {}, T0)
    now = T0 + timedelta(minutes=minutes)
    later = evaluate(rules, samples, first.states, now) if minutes else first
    return decide(group_events(later.events, rules), rules, plan, "C1", now)


def test_message_names_metric_value_threshold_duration_action_and_runbook(plan: Plan) -> None:
    (item,) = fire(plan, "error_rate_pct", 5.5, minutes=6)
    text = html.unescape(slack_message(item.payload)["text"])  # Slack escapes &, < and >
    assert item.kind == "firing"
    assert "error_rate_pct" in text and "5.5%" in text and "> 2%" in text
    assert "held for 6m" in text
    assert "Sudden 10x Traffic Spike" in text and "/capacity scenario traffic-spike" in text
    assert "Check PostHog" in text
    fired = (T0 + timedelta(minutes=6)).isoformat()
    assert item.alerts == (("threshold.error_rate_pct.0", fired),)


def test_three_rules_firing_together_are_one_message(plan: Plan) -> None:
    (item,) = fire(plan, "mau", 90_000)
    assert {a.rule_id for a in item.payload.alerts} == {"tier1.mau", "tier2.mau", "tier3.mau"}
    text = html.unescape(slack_message(item.payload)["text"])
    assert "approaching Tier 2: MAU > 8,000" in text
    assert "/capacity tier 2" in text
    # The highest says the gap once: what is demanded, what is built, what it costs.
    assert (
        "Trigger reached: Tier 3 (MAU 90,000 > 80,000), sized for Tier 3, Tier 0 is built: "
        "plan the Tier 1, Tier 2 and Tier 3 changes (+$2,275/mo)"
    ) in text


def test_blocks_stay_within_slack_limits(plan: Plan) -> None:
    (item,) = fire(plan, "mau", 90_000)
    alert = item.payload.alerts[0]
    many = [alert.model_copy(update={"rule_id": f"r{i}", "title": "x" * 4000}) for i in range(80)]
    blocks = slack_message(alert_payload("firing", "C1", many, T0))["blocks"]
    assert validate_blocks(blocks, "message") == []
    assert "more" in json.dumps(blocks)


def test_resolved_rendering_marks_the_alert(plan: Plan) -> None:
    (item,) = fire(plan, "mau", 90_000)
    alerts = item.payload.alerts
    payload = alert_payload("firing", "C1", alerts, T0, {a.rule_id: T0 for a in alerts})
    text = slack_message(payload)["text"]
    assert text.startswith("Resolved")
    assert text.count("✅") == 3
