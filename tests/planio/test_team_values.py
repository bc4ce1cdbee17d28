"""The corpus's values read as each team wrote them (issue 22: ranges, currencies, units of
growth, triggers in their own words, figures that do not add up), command by command."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.domain.plan import Plan
from bot.planio.document import import_document
from bot.planio.planfile import load_plan
from tests.conftest import answer

PLANS = Path(__file__).parents[1] / "data" / "plans"


@cache
def plan_of(name: str) -> Plan:
    return load_plan(PLANS / f"{name}.md")


def _check(name: str) -> str:
    from bot.shell import check_plan

    out = io.StringIO()
    assert check_plan(str(PLANS / f"{name}.md"), Settings(), out) == 0, out.getvalue()
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "currency", "symbol"),
    [
        ("b2b-api-eur", "EUR", "€"),
        ("newsletter-gbp", "GBP", "£"),
        ("ski-instructors-chf", "CHF", "CHF "),
        ("game-backend", "USD", "$"),
    ],
)
def test_every_money_answer_is_in_the_plans_currency(name: str, currency: str, symbol: str) -> None:
    plan = plan_of(name)
    assert plan.currency == currency
    for command in ("tiers", "tier 0", "tier 1", "tier 2", "cost", "cost 500"):
        text = answer(command, plan)
        assert symbol in text, (command, text)
        if symbol != "$":
            assert "$" not in text, (command, text)


def test_an_amount_in_another_currency_counts_through_its_conversion() -> None:
    eur = plan_of("b2b-api-eur")
    # `Sentry Team: $29/mo (~€27/mo)`: the euro figure; `+$50/mo (~€46/mo)` likewise.
    assert [i.cost for i in eur.baseline.line_items if i.name == "Sentry Team"] == [Decimal(27)]
    assert [c.cost_change for c in eur.tiers[0].changes if c.component == "Observability"] == [
        Decimal(46)
    ]
    # `Domain: ~£24/year (~£2/mo)`: the monthly figure.
    gbp = plan_of("newsletter-gbp")
    assert [i.cost for i in gbp.baseline.line_items if i.name == "Domain"] == [Decimal(2)]
    # `+€8/mo (~$9) or $0` in a dollar plan: $0-9.
    orders = plan_of("orders-nonnative")
    backups = next(c for c in orders.tiers[0].changes if c.component == "Backups")
    assert backups.cost_span.low == 0 and backups.cost_span.high == 9


@pytest.mark.parametrize(
    ("name", "command", "shown"),
    [
        ("agency-tenants", "tier 0", ("$90–120/mo (held to the upper bound, $120/mo)",)),
        ("agency-tenants", "tier 1", ("$90–120/mo -> $154–199/mo (+$64–79/mo", "Tenants")),
        ("agency-tenants", "cost", ("~$5.13–6.63/mo", "~$4.55–5.11/mo", "Cost per tenant")),
        ("agency-tenants", "breakeven", ("3–4 tenants", "lowest price against the highest")),
        ("orders-nonnative", "tiers", ("~$0.0063–0.0068\n", "~$0.0033–0.0034\n", "Orders")),
        ("orders-nonnative", "tier 1", ("2,000 → 20,000", "$126–135/mo")),
        ("orders-nonnative", "breakeven", ("1,575–1,688 orders", "4,138–4,250 orders")),
        ("solo-seats", "tiers", ("$2–8/mo", "$16–35/mo", "$81–100/mo", "Cost per seat")),
        ("solo-seats", "cost 1000", ("Cost for 1,000 seats", "Cost per seat")),
        ("newsletter-gbp", "tiers", ("+£78 (+190%)", "+£283 (+238%)", "Readers")),
        ("newsletter-gbp", "breakeven", ("30 readers", "101 readers")),
        ("b2b-api-eur", "cost", ("€11.775/mo (~€11.78)", "Cost per workspace")),
        # The team's own healthy-margin counts (no multiple of the cost gives them).
        ("b2b-api-eur", "breakeven", ("40 workspaces  €1,560/mo     70%", "€7,800/mo     83%")),
        ("ski-instructors-chf", "tiers", ("+CHF 100 (+105%)", "CHF 0.65/mo", "Instructors")),
        ("thorough-tiers", "tiers", ("Teams", "Cost per team")),
    ],
)
def test_ranges_currencies_and_units_in_answers(name: str, command: str, shown: tuple[str]) -> None:
    text = answer(command, plan_of(name))
    assert not [s for s in shown if s not in text], text


def test_the_sloppy_document_shows_its_stated_figures_and_says_where_they_do_not_add_up() -> None:
    plan = plan_of("sloppy")
    tiers = answer("tiers", plan)
    assert "$125/mo" in tiers and "+$75" in tiers and "+58%" in tiers
    out = _check("sloppy")
    assert "3 figures that do not add up" in out.splitlines()[0]
    # Named as the document names them, on the line of the tier's heading.
    assert "line 29: Tier 2 stated_from: Tier 2 starts from $50/mo where Tier 1 ends at" in out
    assert "says +$75/mo but the component changes add up to +$80–95/mo" in out
    assert "line 43: Tier 3 stated_percent: says +58% but the figures give +59%" in out
    tier2 = answer("tier 2", plan)
    assert "Does not add up: says +$75/mo but the component changes add up to +$80–95/mo" in tier2
    # The next tier builds on the stated total.
    assert "$125/mo -> $199/mo" in answer("tier 3", plan)


@pytest.mark.parametrize(
    ("name", "new"),
    [
        ("newsletter-gbp", "sessions"),
        ("game-backend", "egress_tb"),
        ("b2b-api-eur", "queue_depth"),
        ("agency-tenants", "availability_pct"),
        ("thorough-tiers", "weekly_signups"),
    ],
)
def test_a_quantity_the_catalog_lacks_becomes_a_plan_metric(name: str, new: str) -> None:
    plan = plan_of(name)
    metric = plan.metric(new)
    assert metric is not None
    assert any(rule.metric == new for _where, rule in plan.metric_rules())
    assert new in _check(name).splitlines()[0]


def test_coined_metrics_carry_unit_and_description_from_the_words() -> None:
    egress = plan_of("game-backend").metric("egress_tb")
    assert egress is not None and (egress.unit, egress.description) == ("TB", "Egress")
    queue = plan_of("b2b-api-eur").metric("queue_depth")
    assert queue is not None and queue.unit == "jobs"
    rule = next(r for _w, r in plan_of("b2b-api-eur").metric_rules() if r.metric == "queue_depth")
    assert rule.for_seconds == 600  # `for 10 minutes`


def test_a_query_column_makes_a_new_metric_pullable() -> None:
    signups = plan_of("thorough-tiers").metric("weekly_signups")
    assert signups is not None and signups.query == "sum(increase(huddle_signups_total[7d]))"


def test_a_metric_id_stays_when_a_reload_rewords_the_trigger() -> None:
    text = (PLANS / "game-backend.md").read_text(encoding="utf-8")
    reworded = text.replace("Egress > 2TB/mo", "Egress > 3TB/mo (we pay per TB past 2)")
    assert reworded != text
    before = {m.name for m in plan_of("game-backend").metrics}
    after = {m.name for m in import_document(reworded).plan.metrics}
    assert "egress_tb" in before and "egress_tb" in after


def test_a_qualified_quantity_is_matched_by_its_qualifier() -> None:
    rules = dict(plan_of("b2b-api-eur").metric_rules())
    rds = [r for r in rules.values() if r.metric == "db_cpu_pct"]
    assert rds and all(r.value == 70 for r in rds)
    # `Droplet CPU` is the API's CPU.
    assert any(r.metric == "cpu_pct" for _w, r in plan_of("newsletter-gbp").metric_rules())


def test_an_ambiguous_quantity_is_a_warning_never_a_guess() -> None:
    text = (PLANS / "b2b-api-eur.md").read_text(encoding="utf-8")
    text = text.replace("- RDS CPU > 70% for 1 hour", "- Redis CPU > 70% for 1 hour", 1)
    result = import_document(text)
    assert any("`redis` is neither the database nor the API" in w for w in result.warnings)
    tier = result.plan.tiers[0]
    trigger = next(t for t in tier.triggers if t.text.startswith("Redis CPU"))
    assert trigger.rule is None


def test_a_reload_into_another_currency_says_so_in_that_currency() -> None:
    from bot.monitor.plan_diff import plan_diff
    from bot.planio.planfile import default_plan

    lines = plan_diff(default_plan(), plan_of("b2b-api-eur"))
    assert "currency USD → EUR" in lines
    assert "grows in users → workspaces" in lines
    assert any(line.startswith("Baseline budget $40 → €210/mo") for line in lines), lines


def test_the_appendix_gives_a_new_metric_its_query_and_the_others_stay() -> None:
    text = (PLANS / "game-backend.md").read_text(encoding="utf-8")
    appendix = (
        "\n## Appendix: plan data\n\n```yaml\nmetrics:\n"
        "  - {name: egress_tb, description: Egress, unit: TB, query: 'sum(egress_bytes) / 1e12'}\n"
        "```\n"
    )
    plan = import_document(text + appendix).plan
    egress = plan.metric("egress_tb")
    assert egress is not None and egress.query == "sum(egress_bytes) / 1e12"
    # The other metrics the document's words made are still there to push to.
    assert plan.metric("daily_active_players") is not None
