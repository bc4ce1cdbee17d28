from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.digest.build import MAX_CELL, MAX_ITEMS, MAX_ROWS, build_digest, chart_data
from bot.digest.data import AlertRecord, ChangeRecord, DigestInput, empty_input
from bot.digest.headroom import (
    DEFAULT_LEAD_TIME,
    current_tier,
    headroom,
    lead_time_for,
    parse_lead_time,
)
from bot.domain.plan import Plan
from bot.domain.tiers import with_built
from bot.render.text import cell_text, render_text
from bot.reply import Facts, Reply, Section, Table, Text
from tests.digest.conftest import DAY, NOW, daily


def _table(reply: Reply, title: str) -> Table:
    return next(p for p in reply.parts if isinstance(p, Table) and p.title.startswith(title))


def _cells(table: Table) -> tuple[tuple[str, ...], ...]:
    """The table as the text renderer writes its cells (dates in the digest's zone)."""
    return tuple(tuple(cell_text(c) for c in row) for row in table.rows)


def _rows(reply: Reply, title: str) -> dict[str, tuple[str, ...]]:
    return {row[0]: row for row in _cells(_table(reply, title))}


def _texts(reply: Reply) -> list[str]:
    return [p.text for p in reply.parts if isinstance(p, Text)]


def _one_metric(plan: Plan, metric: str, samples: list, mau: float = 90) -> DigestInput:
    mau_samples = daily("mau", mau, 0)
    return DigestInput(
        plan=plan,
        now=NOW,
        zone=UTC,
        samples={"mau": mau_samples, metric: samples},
        latest={"mau": (mau, NOW), **({metric: (samples[-1].value, NOW)} if samples else {})},
    )


# ---- forecast through the digest, against hand-computed cases ---------------------


def test_rising_metric_shows_its_hand_computed_crossing_date(plan: Plan) -> None:
    # 14 + 2/day for 28 days ends at 68 today; 80 is 12 away: 6 days -> Thu 03 Dec 2026.
    inp = _one_metric(plan, "db_connections", daily("db_connections", 14, 2))
    (h,) = [h for h in headroom(inp, 1) if h.rule.metric == "db_connections"]
    assert h.trend is not None
    assert h.trend.per_week == pytest.approx(14)
    assert h.distance == pytest.approx(12)
    assert h.distance_pct == pytest.approx(15)
    assert h.crosses_at == NOW + timedelta(days=6)
    row = _rows(build_digest(inp), "Headroom")["Database connections > 80 (80% of limit)"]
    assert row[1:] == (
        "68 connections",
        "> 80 connections",
        "12 connections (15%)",
        "+14 connections/wk",
        "Thu 03 Dec 2026 (from daily peaks)",
    )


def test_flat_metric_is_not_approaching(plan: Plan) -> None:
    inp = _one_metric(plan, "db_connections", daily("db_connections", 50, 0))
    row = _rows(build_digest(inp), "Headroom")["Database connections > 80 (80% of limit)"]
    assert row[1:] == (
        "50 connections",
        "> 80 connections",
        "30 connections (38%)",
        "+0 connections/wk",
        "not approaching",
    )


def test_falling_metric_is_not_approaching(plan: Plan) -> None:
    inp = _one_metric(plan, "api_p95_ms", daily("api_p95_ms", 1000, -4))
    row = _rows(build_digest(inp), "Headroom")["API response time p95 > 1s"]
    assert row[1:] == ("892ms", "> 1,000ms", "108ms (11%)", "-28ms/wk", "not approaching")


def test_two_points_are_not_enough_data_and_none_is_no_data(plan: Plan) -> None:
    inp = _one_metric(plan, "storage_gb", daily("storage_gb", 5, 0.1, days=2))
    rows = _rows(build_digest(inp), "Headroom")
    assert rows["Storage > 40GB"][1:] == (
        "5.1GB",
        "> 40GB",
        "34.9GB (87%)",
        "not enough data",
        "not enough data",
    )
    assert rows["API response time p95 > 1s"][1:] == (
        "no data",
        "> 1,000ms",
        "—",
        "no data",
        "no data",
    )


def test_a_value_past_the_threshold_reads_already_crossed(plan: Plan) -> None:
    inp = _one_metric(plan, "db_connections", daily("db_connections", 60, 1))  # ends at 87
    row = _rows(build_digest(inp), "Headroom")["Database connections > 80 (80% of limit)"]
    assert row[3] == "crossed"
    assert row[5] == "already crossed"


def test_samples_older_than_28_days_do_not_shape_the_trend(plan: Plan) -> None:
    old = [s.model_copy(update={"at": s.at - 60 * DAY, "value": 0.0}) for s in daily("x", 0, 0)]
    recent = daily("db_connections", 14, 2)
    inp = _one_metric(plan, "db_connections", [*old, *recent])
    (h,) = [h for h in headroom(inp, 1) if h.rule.metric == "db_connections"]
    assert h.trend is not None and h.trend.per_week == pytest.approx(14)


# ---- lead times -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 week", timedelta(weeks=1)),
        ("3 days", timedelta(days=3)),
        ("1 hour", timedelta(hours=1)),
        ("about 2 weeks", timedelta(weeks=2)),
        ("Immediate (auto-scale)", None),
        ("", None),
    ],
)
def test_lead_times_parse_like_durations(text: str, expected: timedelta | None) -> None:
    assert parse_lead_time(text) == expected


def test_lead_time_comes_from_the_plans_scaling_trigger_on_that_metric(plan: Plan) -> None:
    assert lead_time_for(plan, "db_connections") == timedelta(weeks=1)
    assert lead_time_for(plan, "storage_pct") == timedelta(days=3)
    assert lead_time_for(plan, "mau") == DEFAULT_LEAD_TIME == timedelta(weeks=4)


# ---- the seeded week, numbers checked ---------------------------------------------


def test_seeded_week_digest_content(seeded: DigestInput) -> None:
    reply = build_digest(seeded)
    assert reply.title == "Weekly capacity digest, 2026-W48"
    assert _texts(reply)[0] == (
        "Trigger reached: Tier 0 (MVP Baseline), at 90 MAU; sized for Tier 0. "
        "Built: Tier 0 (MVP Baseline)."
    )
    rows = _rows(reply, "Headroom to Tier 1 (10x Growth)")
    assert rows["Monthly active users (MAU) > 800"][1:] == (
        "90 users",
        "> 800 users",
        "710 users (89%)",
        "+0 users/wk",
        "not approaching",
    )
    assert rows["Database connections > 80 (80% of limit)"][5] == (
        "Thu 03 Dec 2026 (from daily peaks)"
    )
    assert rows["API response time p95 > 1s"][5] == "not approaching"
    assert rows["Storage > 40GB"][5] == "not enough data"

    cost = next(p for p in reply.parts if isinstance(p, Facts))
    assert dict(cost.pairs) == {
        "Cost this month": "$32.50",
        "Budget": "$40/mo (built Tier 0)",
        "Against budget": "81% used, $7.50 left",
    }

    alerts = _cells(_table(reply, "Alerts this week"))
    assert alerts == (
        ("API p95 above 1s", "Sun 22 Nov 10:00 UTC", "Sun 22 Nov 12:00 UTC", "2h"),
        ("CPU > 70% for 1 hour", "Tue 24 Nov 10:00 UTC", "still firing", "—"),
    )
    firing = next(p for p in reply.parts if isinstance(p, Section) and p.heading == "Still firing")
    assert firing.items == ("CPU > 70% for 1 hour: firing since Tue 24 Nov 10:00 UTC (3d)",)

    assert "4 change(s) logged, cost change +$30.50/mo (3 of 4 priced)." in _texts(reply)
    changes = _cells(_table(reply, "Changes this week"))
    assert changes[2] == ("2026-11-25", "Bigger API container", "+$20.50/mo")
    assert changes[3] == ("2026-11-26", "Rotated keys", "—")

    # db_connections crosses in 6 days, inside its 1-week lead time: start tier 1.
    start = next(p for p in reply.parts if isinstance(p, Section) and p.heading.startswith("Start"))
    assert start.heading == "Start Tier 1 (10x Growth)"
    assert start.items == (
        "Database connections > 80 (80% of limit): forecast Thu 03 Dec 2026, lead time 7d",
    )
    plan_changes = _cells(_table(reply, "Tier 1 (10x Growth) infrastructure changes"))
    assert [r[3] for r in plan_changes] == ["+$20/mo", "+$15/mo", "+$10/mo", "+$10/mo"]
    # The template names infrastructure, not cost-list entries: the cells say what changes.
    assert plan_changes[0][:3] == ("API", "1 container (1GB RAM)", "2 containers (2GB RAM each)")
    assert "**Total new cost**: $40/mo -> $95/mo (+$55/mo, +137%)" in _texts(reply)
    scaling = next(
        p for p in reply.parts if isinstance(p, Section) and p.heading.startswith("Scal")
    )
    assert scaling.items == (
        "Add read replica or connection pooler (DB connections > 80%, by Thu 03 Dec 2026; "
        "lead time 1 week)",
        # p95 at 892ms is already past the scaling trigger's 500ms.
        "Investigate, optimize, or scale (p95 response time > target for 24 hours, "
        "already past; lead time 1 week)",
    )
    assert not any("Chart missing" in n for n in reply.notes)
    render_text(reply)  # renders without error


def test_nothing_to_start_when_no_trigger_is_within_its_lead_time(plan: Plan) -> None:
    inp = _one_metric(plan, "db_connections", daily("db_connections", 14, 1))  # 39 days out
    texts = _texts(build_digest(inp))
    assert any(
        t.startswith("Nothing to start yet for Tier 1 (10x Growth): no trigger") for t in texts
    )


def test_cost_falls_back_to_the_cost_metric_and_reports_overspend(plan: Plan) -> None:
    inp = DigestInput(plan=plan, now=NOW, zone=UTC, latest={"cost_usd": (48.0, NOW)})
    cost = next(p for p in build_digest(inp).parts if isinstance(p, Facts))
    assert dict(cost.pairs)["Against budget"] == "120% used, over by $8"


def test_current_tier_follows_mau_and_the_top_tier_has_nothing_next(plan: Plan) -> None:
    # Tier 2's trigger is MAU > 8,000: at 5,000 we are on tier 1, watching tier 2.
    inp = DigestInput(plan=plan, now=NOW, zone=UTC, latest={"mau": (5000, NOW)})
    assert current_tier(inp) == (1, 5000)
    assert "Headroom to Tier 2" in render_text(build_digest(inp))
    past = replace(inp, latest={"mau": (8412, NOW)})
    assert current_tier(past) == (2, 8412)
    assert "Headroom to Tier 3" in render_text(build_digest(past))
    top = replace(inp, latest={"mau": (250_000, NOW)})
    assert any("largest tier" in t for t in _texts(build_digest(top)))


def test_plan_alone_reads_no_data_everywhere(plan: Plan) -> None:
    reply = build_digest(empty_input(plan, NOW, UTC))
    for row in _cells(_table(reply, "Headroom")):
        assert row[1] == "no data" and row[5] == "no data"
    assert "Chart missing" not in render_text(reply)


def test_chart_missing_adds_a_note(seeded: DigestInput) -> None:
    reply = build_digest(replace(seeded, chart_missing=True))
    assert any(n.startswith("Chart missing") for n in reply.notes)


def test_dates_are_shown_in_the_configured_zone(seeded: DigestInput) -> None:
    from zoneinfo import ZoneInfo

    reply = build_digest(replace(seeded, zone=ZoneInfo("Asia/Tokyo")))
    assert _cells(_table(reply, "Alerts this week"))[0][1] == "Sun 22 Nov 19:00 JST"


# ---- bounded whatever the data holds ----------------------------------------------


def test_parts_stay_bounded_with_huge_inputs(seeded: DigestInput) -> None:
    changes = [
        ChangeRecord(date(2026, 11, 23), "x" * 5000 + str(i), Decimal(1)) for i in range(10_000)
    ]
    alerts = [AlertRecord(f"alert {i}", NOW - DAY, NOW) for i in range(500)]
    inp = replace(seeded, changes=changes, alerts_fired_resolved=alerts, still_firing=alerts)
    reply = build_digest(inp)
    for part in reply.parts:
        if isinstance(part, Table):
            assert len(part.rows) <= MAX_ROWS
            assert all(len(cell_text(c)) <= MAX_CELL for row in part.rows for c in row)
        if isinstance(part, Section):
            assert len(part.items) <= MAX_ITEMS
            assert all(len(i) <= MAX_CELL for i in part.items)
        if isinstance(part, Text):
            assert len(part.text) <= 3000
    assert _cells(_table(reply, "Changes this week"))[-1][0] == "… and 9,981 more"
    assert "10,000 change(s) logged, cost change +$10,000/mo." in _texts(reply)
    assert len(reply.parts) <= 20


def test_chart_data_takes_next_tier_metrics_with_samples(seeded: DigestInput) -> None:
    data = chart_data(seeded)
    assert list(data.series) == ["mau", "api_p95_ms", "db_connections", "storage_gb"]
    assert data.thresholds["db_connections"] == 80
    assert set(data.forecasts) == {"mau", "api_p95_ms", "db_connections"}


def test_naive_now_is_rejected(plan: Plan) -> None:
    with pytest.raises(ValueError):
        build_digest(empty_input(plan, datetime(2026, 11, 27), UTC))


def test_digest_speaks_of_demand_built_gap_and_the_built_budget(plan: Plan) -> None:
    built = with_built(plan, 1)
    inp = _one_metric(built, "db_cpu_pct", daily("db_cpu_pct", 20, 1), mau=9000)
    inp = replace(inp, cost_this_month=Decimal(120))
    reply = build_digest(inp)
    assert _texts(reply)[0] == (
        "Trigger reached: Tier 2: 100x Growth, at 9,000 MAU; sized for Tier 2. "
        "Built: Tier 1: 10x Growth. "
        "Plan the Tier 2 changes (+$320/mo)."
    )
    # Headroom past both tiers, and cost against the budget of the tier that is built.
    assert _table(reply, "Headroom to Tier 3")
    text = render_text(reply)
    assert "126% used, over by $25" in text  # $120 against Tier 1's $95
    assert "Next trigger to watch: MAU > 80,000, now 9,000 users" in text


def test_the_digest_times_are_slack_dates_in_blocks_and_named_in_text(
    seeded: DigestInput,
) -> None:
    from zoneinfo import ZoneInfo

    from bot.render.blocks import render_message
    from tests.fakeslack import validate_blocks

    reply = build_digest(replace(seeded, zone=ZoneInfo("America/New_York")))
    text = render_text(reply)
    assert "firing since Tue 24 Nov 05:00 EST (3d)" in text
    assert re.search(r"Week \w{3} \d\d Nov 2026 to \w{3} \d\d Nov 2026\. Trends", text)
    message = render_message(reply)
    assert validate_blocks(message["blocks"]) == []
    blocks = str(message["blocks"])
    since = int(datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp())
    assert f"<!date^{since}^{{date_short_pretty}} {{time}}|Tue 24 Nov 05:00 EST>" in blocks
    assert re.search(r"Week <!date\^\d+\^{date_short_pretty}\|", blocks)
