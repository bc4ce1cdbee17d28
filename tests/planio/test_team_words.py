"""Each team document answered in its own words (issue 22's review): the measure the plan
grows by (`Orders: no data`, not `MAU: no data`), what pushed cost samples are in, a
price per order without `/mo`, one count of tiers in `check-plan`. Every case is a
document shape that answered in the template's words before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.planio.planfile import default_plan
from tests.conftest import NOW, answer, squash
from tests.planio.test_team_documents import DOCS, _check, doc, plan_of
from tests.test_shell import run

# (document, the metric its growth is measured by, what answers call it, a value inside
# Tier 1's trigger). The metric is a tier trigger's that names the unit (`Paying
# workspaces > 30`), the baseline's count (`12 client sites` and `Client sites > 25`),
# else the unit itself (`orders`: the document's trigger is prose).
GROWTH = [
    ("orders-nonnative", "orders", "Orders", 2500),
    ("agency-tenants", "client_sites", "Client sites", 27),
    ("b2b-api-eur", "paying_workspaces", "Paying workspaces", 35),
    ("game-backend", "daily_active_players", "Daily active players", 25000),
    ("newsletter-gbp", "readers", "Readers", 5000),
    ("ski-instructors-chf", "instructors", "Instructors", 250),
    ("solo-seats", "paying_seats", "Paying seats", 320),
    ("thorough-tiers", "paying_teams", "Paying teams", 350),
]

TEMPLATE_WORDS = re.compile(r"\bMAU\b|`mau`")


@pytest.mark.parametrize(("name", "metric", "label", "_value"), GROWTH)
def test_the_growth_measure_is_the_documents_own_on_every_surface(
    name: str, metric: str, label: str, _value: int
) -> None:
    plan = plan_of(name)
    assert plan.users_metric == metric and plan.metric(metric) is not None
    status = squash(answer("status", plan))
    assert f"{label}: no data" in status
    assert f"assumed: no `{metric}` data yet" in status
    for command in ("status", "triggers", "built", "digest"):
        shown = answer(command, plan)
        assert not TEMPLATE_WORDS.search(shown), (command, shown)


def test_a_plan_of_users_keeps_the_templates_mau() -> None:
    assert plan_of("sloppy").users_metric == "mau"
    status = squash(answer("status"))
    assert "MAU: no data" in status and "assumed: no `mau` data yet" in status


def test_a_part_of_the_unit_is_not_its_growth_measure() -> None:
    """`Paying readers > 2,000` under a 20K → 100K readers tier counts some readers."""
    plan = plan_of("newsletter-gbp")
    assert plan.users_metric == "readers"
    assert "paying_readers" in {r.metric for _where, r in plan.metric_rules()}


@pytest.mark.parametrize(("name", "metric", "label", "value"), GROWTH)
def test_a_sample_of_the_growth_metric_moves_the_tier_in_the_shell(
    name: str, metric: str, label: str, value: int, tmp_path: Path
) -> None:
    env = {"CAPACITY_PLAN": str(doc(name)), "CAPACITY_DB": str(tmp_path / "c.db")}
    recorded = run("ask", f"metric {metric} {value}", **env)
    assert recorded.returncode == 0, recorded.stderr
    status = run("ask", "status", **env)
    assert status.returncode == 0, status.stderr
    shown = squash(status.stdout)
    assert "Trigger reached: Tier 1" in shown
    assert f"{label}: {value:,}" in shown
    assert not TEMPLATE_WORDS.search(status.stdout)


def test_an_orders_plan_counts_orders_where_it_sizes() -> None:
    plan = plan_of("orders-nonnative")
    sized = squash(answer("cost 5000", plan))
    assert "Cost for 5,000 orders a month" in sized
    assert "capacity, 20,000 orders, covers 5,000" in sized
    assert "users" not in sized
    assert "Tiers: 2 (up to 100,000 orders)" in squash(answer("plan", plan))


def test_a_range_of_costs_below_a_dollar_stays_a_range() -> None:
    """$126–135 over 5,000 orders is $0.0252–0.027 an order: to the cent both ends are
    $0.03, and the answer would hide that the cost is a range."""
    sized = squash(answer("cost 5000", plan_of("orders-nonnative")))
    assert "Cost per order: ~$0.025–0.027" in sized


# Money: the cost metric keeps its name (an API name), and says what its samples are in.
@pytest.mark.parametrize(
    ("name", "code"),
    [("b2b-api-eur", "EUR"), ("newsletter-gbp", "GBP"), ("ski-instructors-chf", "CHF")],
)
def test_cost_samples_say_they_are_in_the_plans_currency(name: str, code: str) -> None:
    status = squash(answer("status", plan_of(name)))
    assert f"pushed `cost_usd` samples in {code}, the plan's currency" in status


def test_a_dollar_plan_names_its_cost_samples_as_before() -> None:
    status = squash(answer("status"))
    assert "Cost from: pushed `cost_usd` samples (no bill covers this month yet)" in status


def test_the_budget_limit_is_in_the_plans_currency(tmp_path: Path) -> None:
    env = {"CAPACITY_PLAN": str(doc("b2b-api-eur")), "CAPACITY_DB": str(tmp_path / "c.db")}
    assert run("ask", "metric cost_usd 300", **env).returncode == 0
    status = run("ask", "status", **env).stdout
    assert "Tier 0 budget €210/mo" in status and "$210" not in status


# Prices per unit of use.
def test_a_price_per_order_is_shown_per_order_not_a_month() -> None:
    plan = plan_of("orders-nonnative")
    assert plan.pricing is not None and plan.pricing.period == ""
    even = answer("breakeven", plan)
    assert even.splitlines()[0] == "Break-even at $0.08 per order"
    assert "1,575–1,688 orders" in even and "4,138–4,250 orders" in even
    whatif = squash(answer("whatif price 0.1", plan))
    assert "Price: $0.10 per order" in whatif
    for command in ("breakeven", "breakeven 0.1", "whatif price 0.1"):
        assert "/mo per order" not in answer(command, plan)


def test_a_cost_per_order_has_no_month_and_no_year() -> None:
    plan = plan_of("orders-nonnative")
    cost = answer("cost", plan)
    assert "~$0.0063–0.0068" in cost and "~$0.0033–0.0034" in cost
    assert "/mo\n" not in cost.split("Cost per order", 2)[-1].split("\n\n")[0]
    assert "Per year" not in cost and "/yr" not in answer("cost 5000", plan)
    assert "Cost per order: ~$0.0063–0.0068 Triggers" in squash(answer("tier 1", plan))


def test_a_monthly_price_keeps_its_month() -> None:
    assert answer("breakeven", plan_of("ski-instructors-chf")).startswith(
        "Break-even at CHF 19/mo per instructor"
    )
    assert answer("breakeven").startswith("Break-even at $25/mo per instructor")
    assert "Per year" in answer("cost", plan_of("agency-tenants"))


def test_a_price_of_your_own_on_a_plan_without_one_is_per_its_unit() -> None:
    assert answer("breakeven 30", plan_of("game-backend")).startswith(
        "Break-even at $30/mo per player"
    )
    assert answer("breakeven 25", plan_of("sloppy")).startswith("Break-even at $25/mo per customer")


@pytest.mark.parametrize("name", DOCS)
def test_whatif_price_answers_every_document(name: str) -> None:
    plan = plan_of(name)
    shown = answer("whatif price 30", plan)
    assert shown.startswith("What if the price were $30") or "30" in shown.splitlines()[0]
    assert "Sorry" not in shown and "went wrong" not in shown
    assert f"Today: {plan.baseline.users:,} {plan.unit_plural}" in squash(shown)


# check-plan: one count, one wording.
@pytest.mark.parametrize("name", DOCS)
def test_check_plan_counts_the_tiers_once(name: str) -> None:
    first, second = _check(name)[1].splitlines()[:2]
    tiers = f"tiers 0–{plan_of(name).tier_count}"
    assert f"understood {tiers} (" in first
    assert f"valid ({tiers})" in second or f", {tiers})" in second
    assert not re.search(r"\d tiers\b", first + second)


def test_the_embedded_plan_is_still_counted_in_users() -> None:
    plan = default_plan()
    assert (plan.growth_label, plan.unit_plural, plan.unit_period) == ("MAU", "users", "mo")


def test_the_digest_from_the_shell_speaks_of_orders(tmp_path: Path) -> None:
    env = {"CAPACITY_PLAN": str(doc("orders-nonnative")), "CAPACITY_DB": str(tmp_path / "c.db")}
    done = run("digest", **env)
    assert done.returncode == 0, done.stderr
    assert "assumed: no `orders` data yet" in done.stdout
    assert not TEMPLATE_WORDS.search(done.stdout)


def test_the_built_tier_message_speaks_of_the_plans_measure() -> None:
    from bot.notify.tiers import built_notice

    plan = plan_of("agency-tenants").model_copy(update={"built_tier": 1})
    item = built_notice(plan, 0, None, "U1", "C1", NOW)
    text = str(item.payload.reply)
    assert "no client sites data yet" in text and "MAU" not in text
    seen = built_notice(plan, 0, 70.0, "U1", "C1", NOW)
    assert "Client sites 70 > 65" in str(seen.payload.reply)


def test_the_appendix_chooses_another_growth_metric() -> None:
    from bot.planio.document import import_document

    text = doc("orders-nonnative").read_text(encoding="utf-8")
    appendix = "\n## Appendix: plan data\n\n```yaml\nusers_metric: mau\n```\n"
    plan = import_document(text + appendix).plan
    assert plan.users_metric == "mau"
    assert "MAU: no data" in squash(answer("status", plan))


@pytest.mark.parametrize(
    ("name", "absent"), [("thorough-tiers", "Requests"), ("orders-nonnative", "Database")]
)
def test_tier_0_shows_no_zero_the_document_never_wrote(name: str, absent: str) -> None:
    """The Tiers shape states no requests, storage or database; the orders document no
    database: no `0/day` or `0GB` stands in for them."""
    shown = answer("tier 0", plan_of(name))
    assert f"{absent}:" not in shown and "0GB\n" not in shown and " 0/day" not in shown
    assert "Storage:        2GB (photos of the dishes)" in answer(
        "tier 0", plan_of("orders-nonnative")
    )


def test_the_assumptions_are_per_the_plans_unit() -> None:
    shown = answer("reality", plan_of("agency-tenants"))
    assert "Requests per tenant a day" in shown and "per user" not in shown
    assert "Requests per user a day" in answer("reality")


def test_help_counts_in_the_plans_unit_in_the_shell(tmp_path: Path) -> None:
    env = {"CAPACITY_PLAN": str(doc("orders-nonnative")), "CAPACITY_DB": str(tmp_path / "c.db")}
    shown = squash(run("ask", "help", **env).stdout)
    assert "cost [ORDERS]" in shown and "Cost per order per tier, or for an order count" in shown
    assert "All tiers side by side: orders, cost, change, cost per order" in shown
    assert "whatif users N" in shown  # a keyword of the command, not a count
    templated = squash(answer("help"))
    assert (
        "cost [USERS]" in templated and "Cost per user per tier, or for a user count" in templated
    )


def test_the_price_to_add_is_in_the_plans_unit_and_currency() -> None:
    assert "**Pricing**: $25/mo per seat" in answer("breakeven", plan_of("solo-seats"))
    assert "**Pricing**: $25/mo per customer" in answer("breakeven", plan_of("sloppy"))


def test_a_unit_no_metric_id_can_hold_keeps_mau() -> None:
    from bot.planio.document import import_document

    long = "x" * 70
    text = doc("orders-nonnative").read_text(encoding="utf-8").replace("orders/month", long)
    plan = import_document(text).plan
    assert plan.users_metric == "mau" and plan.unit_plural == long


def test_the_digest_holds_a_euro_plans_cost_in_euros(tmp_path: Path) -> None:
    env = {"CAPACITY_PLAN": str(doc("b2b-api-eur")), "CAPACITY_DB": str(tmp_path / "c.db")}
    assert run("ask", "metric cost_usd 230", **env).returncode == 0
    digest = run("digest", **env).stdout
    assert "Tier 0 budget €210/mo" in digest and "over by €20" in digest
    assert "$" not in digest


def test_the_template_shaped_export_writes_a_price_per_order_as_the_team_priced_it() -> None:
    """A plan without its document (YAML, or a file since gone) is written in the template's
    shape: a price per order has no period, and revenue still counts by the month."""
    from bot.planio.doc_verbatim import export_plan_document
    from bot.planio.document import import_document

    plan = plan_of("orders-nonnative")
    text = export_plan_document(plan)
    assert "**Pricing**: $0.08 per order" in text.splitlines()
    assert "- Tier 2: 21,250 orders → $1,700/mo revenue, $340 cost = 80% margin" in text
    assert "/ " not in text  # no period left empty ("$0.08/ per order")
    assert import_document(text).plan == plan
