"""import-plan(export-plan(plan)) == plan, over generated plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.plan import Plan
from bot.planio.doc_write import Live, export_document
from bot.planio.document import import_document
from bot.planio.planfile import default_plan

WORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/%&'|éü",
    min_size=1,
    max_size=24,
).map(lambda s: " ".join(s.split()) or "x")
MONEY = st.decimals(min_value=0, max_value=5000, places=2).map(lambda d: d.normalize())


@st.composite
def triggers(draw: st.DrawFn, users: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["mau", "p95", "cpu", "text"]))
    if kind == "mau":
        return {"text": f"MAU > {users:,}", "rule": {"metric": "mau", "op": ">", "value": users}}
    if kind == "p95":
        ms, minutes = draw(st.integers(100, 3000)), draw(st.integers(1, 90))
        return {
            "text": f"API p95 over {ms}ms for {minutes} min",
            "rule": {"metric": "api_p95_ms", "op": ">", "value": ms, "for": f"{minutes}m"},
        }
    if kind == "cpu":
        pct = draw(st.integers(1, 99))
        return {
            "text": f"Database CPU >= {pct}%",
            "rule": {"metric": "db_cpu_pct", "op": ">=", "value": pct},
        }
    return {"text": draw(WORDS)}


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    data = default_plan().model_dump(by_alias=True)
    data["product"] = draw(st.one_of(st.none(), WORDS))
    # What the template has no place for: a Prometheus query, severities, runbooks.
    for metric in data["metrics"]:
        metric["query"] = draw(st.sampled_from([None, f"sum(rate({metric['name']}[5m]))"]))
    data["percent_rounding"] = draw(st.sampled_from(["half_up", "half_down", "half_even"]))
    base = data["baseline"]
    base["users"] = users = draw(st.integers(1, 5000))
    base["users_note"] = draw(st.sampled_from(["", f"{users} people"]))
    base["budget"] = draw(MONEY) + 1  # a free product has no break-even to write
    base["line_items"] = [
        {"name": draw(WORDS), "cost": draw(MONEY), "note": draw(st.sampled_from(["", "n"]))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    tiers = []
    for number in range(draw(st.integers(1, 5))):
        users += draw(st.integers(1, 100_000))
        tiers.append(
            {
                "name": draw(WORDS),
                "users": users,
                "timeline": draw(st.sampled_from(["", "soon", "2030"])),
                "stated_total": draw(st.sampled_from([None, Decimal(7)])),
                "triggers": [draw(triggers(users)) for _ in range(draw(st.integers(0, 3)))],
                "changes": [
                    {
                        "component": draw(WORDS),
                        "current": draw(WORDS),
                        "new": draw(WORDS),
                        "cost_change": draw(MONEY),
                    }
                    for _ in range(draw(st.integers(0, 3)))
                ],
                "capacity": [draw(WORDS) for _ in range(draw(st.integers(0, 2)))],
                "bottlenecks": [f"tier {number} bottleneck"],
            }
        )
    data["tiers"] = tiers
    data["targets"] = [
        {"metric": draw(WORDS), "values": [draw(WORDS) for _ in range(len(tiers) + 1)]}
    ]
    pricing = data["pricing"]
    pricing["price"] = draw(st.decimals(min_value=1, max_value=500, places=2)).normalize()
    pricing["healthy_multiple"] = draw(st.sampled_from([Decimal(2), Decimal(3), Decimal(5)]))
    pricing["healthy_step"] = draw(st.sampled_from([1, 5, 10, 25]))
    compute = data["formulas"]["compute"]
    compute["efficiency"] = draw(st.sampled_from([Decimal("0.5"), Decimal("0.7"), Decimal(1)]))
    compute["approx_step"] = draw(st.sampled_from([1, 5, 10]))
    thresholds = draw(st.lists(st.sampled_from(data["thresholds"]), max_size=4))
    data["thresholds"] = [
        {**t, "severity": draw(st.sampled_from(["p0", "p1", "p2"]))} for t in thresholds
    ]
    data["change_log"] = data["change_log"][: draw(st.integers(0, 3))]
    return Plan.model_validate(data)


@settings(max_examples=60, deadline=None)
@given(plans())
def test_importing_the_export_gives_the_same_plan(plan: Plan) -> None:
    document = export_document(plan)
    assert import_document(document).plan == plan


@settings(max_examples=20, deadline=None)
@given(plans())
def test_live_figures_do_not_become_plan(plan: Plan) -> None:
    live = Live(samples=(("Monthly active users", "123,456 users"), ("CPU", "99%")))
    assert import_document(export_document(plan, live)).plan == plan


def test_the_export_computes_every_total_and_figure() -> None:
    text = export_document(default_plan())
    for line in (
        "**Total New Cost**: $40/mo → $95/mo (+$55/mo, +137%)",
        "**Total New Cost**: $95/mo → $415/mo (+$320/mo, +337%)",
        "**Total New Cost**: $415/mo → $2,315/mo (+$1,900/mo, +458%)",
        "- Tier 3 ($2,315/mo cost): 93 paying instructors",
        "- Tier 2: 85 instructors → $2,125/mo revenue, $415 cost = 80% margin",
        "- Cost per user: $0.0415/mo (~$0.041) (~$0.50/yr)",
        "- For 100 req/sec → need ~30 vCPUs → 29 containers (1 vCPU each) or 8 containers",
    ):
        assert line in text, line
    assert "```yaml" in text and "runbook: traffic-spike" in text
