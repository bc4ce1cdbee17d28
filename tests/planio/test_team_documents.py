"""The corpus of team documents (tests/data/plans, issue 22): each loads with `check-plan`
exit 0 and answers its own stated figures, command by command (the figures are the ones
tests/data/plans/README.md lists, read off each document by hand)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.domain.plan import Plan
from bot.monitor.routes import plan_routes
from bot.planio.doc_write import export_document
from bot.planio.document import import_document
from bot.planio.planfile import load_plan
from tests.conftest import DATA, answer

PLANS = DATA / "plans"
DOCS = sorted(p.stem for p in PLANS.glob("*.md") if p.stem != "README")


def doc(name: str) -> Path:
    return PLANS / f"{name}.md"


@cache
def plan_of(name: str) -> Plan:
    return load_plan(doc(name))


def case(name: str, command: str, *shown: str) -> object:
    return pytest.param(name, command, shown, id=f"{name}:{command}")


def test_the_corpus_has_the_documents_its_readme_lists() -> None:
    readme = (PLANS / "README.md").read_text(encoding="utf-8")
    assert len(DOCS) >= 8
    assert all(f"### {name}.md" in readme for name in DOCS)


def _check(name: str) -> tuple[int, str]:
    from bot.shell import check_plan

    out = io.StringIO()
    code = check_plan(str(doc(name)), Settings(), out)
    return code, out.getvalue()


@pytest.mark.parametrize("name", DOCS)
def test_every_document_loads_with_check_plan_exit_0_saying_what_it_understood(
    name: str,
) -> None:
    code, out = _check(name)
    assert code == 0, out
    assert out.splitlines()[0].startswith(f"{doc(name)}: understood ")
    assert " kept as text" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("name", "command", "shown"),
    [
        # A solo developer: ranges, a yearly domain, placeholders, few sections.
        case("solo-seats", "tiers", "40", "400", "2,000"),
        case("solo-seats", "tiers", "$2–8/mo", "$16–35/mo", "$81–100/mo"),
        case("solo-seats", "breakeven", "The plan has no price", "**Pricing**: $25/mo"),
        case("solo-seats", "compute 100", "The plan has no compute formula"),
        case("solo-seats", "connections 4", "The plan has no database connections formula"),
        case("solo-seats", "storage 1000", "The plan has no storage formula"),
        case("solo-seats", "targets", "The plan has no performance targets"),
        case("solo-seats", "scenario", "The plan has no disaster scenarios"),
        case("solo-seats", "cost", "Cost per seat"),
        case("solo-seats", "plan sections", "Things I'm Not Doing Yet"),
        case("solo-seats", "plan section things", "- [ ] Status page", "- [x] Nightly export"),
        # An agency: tenants, a budget range, channels that are not Slack.
        case("agency-tenants", "tier 0", "12 client sites"),
        case("agency-tenants", "tiers", "$90–120/mo", "$154–199/mo", "$364–409/mo"),
        case("agency-tenants", "breakeven", "$60/mo per tenant"),
        case("agency-tenants", "breakeven", "3–4 tenants", "7 tenants"),
        case(
            "agency-tenants",
            "plan sections",
            "Cost Breakdown by Component",
            "Backup Strategy",
            "Onboarding A New Client",
        ),
        case("agency-tenants", "plan section backup", "mysqldump --single-transaction"),
        # A B2B API in euros, per workspace.
        case("b2b-api-eur", "tiers", "€210/mo", "€471/mo", "€1,334/mo"),
        case("b2b-api-eur", "tier 2", "40 → 200", "€1,334/mo"),
        case("b2b-api-eur", "breakeven", "13 workspaces", "35 workspaces", "€39/mo"),
        # The document rounds to €11.78; the bot shows the exact figure.
        case("b2b-api-eur", "cost", "Cost per workspace", "€11.775", "€6.67"),
        case("b2b-api-eur", "plan sections", "API Call Budget"),
        # A game backend: no price, only revenue goals; a code block with `##` in it.
        case("game-backend", "tiers", "$310/mo", "$825/mo", "$4,125/mo", "+166%", "+400%"),
        # The document rounds to $0.028 and $0.014; the bot shows the exact figure too.
        case("game-backend", "cost", "$0.0275/mo", "~$0.014"),
        case("game-backend", "cost", "Cost per player"),
        case("game-backend", "breakeven", "The plan has no price"),
        case("game-backend", "scenario", "A Streamer Plays It Live"),
        case("game-backend", "plan sections", "Bandwidth"),
        case(
            "game-backend",
            "plan section bandwidth",
            "30,000 DAP  ≈ 1.8TB/month   ## this is where the 2TB trigger comes from",
        ),
        # A team writing in its second language: headings its own way, Example blocks.
        case("orders-nonnative", "tier 0", "$45/mo", "20-80 orders/day"),
        case("orders-nonnative", "tiers", "$126–135/mo", "$331–340/mo"),
        case("orders-nonnative", "tier 1", "9-15 months", "Supabase Pro", "+$25/mo"),
        case("orders-nonnative", "scenario", "Friday night and the server falls"),
        case("orders-nonnative", "breakeven", "$0.08"),
        # A sloppy one: the stated figures are what answers show.
        case("sloppy", "tiers", "$25/mo", "$125/mo", "$199/mo"),
        case("sloppy", "tiers", "$35–50/mo"),
        case("sloppy", "tier 1", "MAU > 800", "Onboarding gets slow"),
        case("sloppy", "breakeven", "The plan has no price"),
        # A thorough team with a `## Tiers` section.
        case("thorough-tiers", "tiers", "$380/mo", "$1,150/mo", "$3,900/mo", "$9,800/mo"),
        case("thorough-tiers", "tiers", "Starter", "Growth", "Scale", "5,000"),
        case("thorough-tiers", "breakeven", "8 teams", "24 teams", "80 teams", "200 teams"),
        case("thorough-tiers", "cost", "$2.30/mo", "$1.56/mo", "$1.96/mo"),
        case("thorough-tiers", "tier 0", "$380/mo", "$7.60/mo", "Seed"),
        case("thorough-tiers", "cost", "Cost per team"),
        case(
            "thorough-tiers",
            "tier 3",
            "Paying teams >3,000 (60% of capacity)",
            "Weekly signups > 400 (80% of capacity)",
            "MRR > $60K/mo",
            "Multi-region demand",
            "Characteristics",
            "5,000+ active teams",
        ),
        case("thorough-tiers", "tier 1", "Revenue Targets", "$14,700 MRR"),
        case(
            "thorough-tiers",
            "plan sections",
            "Summary",
            "Cost Projections",
            "Launch Checklist For Each Tier Move",
            "Appendix: Worker Settings",
        ),
        case("thorough-tiers", "plan section tier 2 revenue", "1,500 paying teams × $49"),
        case("thorough-tiers", "plan section appendix", "queues: [emea, amer, apac]"),
        # A newsletter in pounds, per reader.
        case("newsletter-gbp", "tiers", "£41/mo", "£119/mo", "£402/mo"),
        case("newsletter-gbp", "breakeven", "30 readers", "101 readers", "£4/mo"),
        case("newsletter-gbp", "cost", "Cost per reader"),
        case("newsletter-gbp", "plan sections", "Bandwidth"),
        # A ski school in Swiss francs, per instructor.
        case("ski-instructors-chf", "tiers", "CHF 95/mo", "CHF 195/mo", "CHF 630/mo"),
        case("ski-instructors-chf", "breakeven", "11 instructors", "34 instructors"),
        case("ski-instructors-chf", "targets", "The plan has no performance targets"),
        case("ski-instructors-chf", "plan sections", "Season Calendar"),
    ],
)
def test_each_document_answers_its_own_figures(
    name: str, command: str, shown: tuple[str, ...]
) -> None:
    text = answer(command, plan_of(name))
    missing = [s for s in shown if s not in text]
    assert not missing, text


@pytest.mark.parametrize("name", DOCS)
def test_sections_not_understood_come_back_word_for_word(name: str) -> None:
    original = doc(name).read_text(encoding="utf-8")
    plan = plan_of(name)
    exported = export_document(plan)
    for section in plan.sections:
        assert section.text in original, section.title
        assert section.text in exported, section.title
    assert import_document(exported).plan == plan


def test_the_thorough_team_is_where_its_document_says() -> None:
    # `### Tier 0: Seed (50 teams) [WE ARE HERE]`: the baseline is the built tier.
    plan = plan_of("thorough-tiers")
    assert plan.built_tier == 0 and plan.baseline.users == 50 and plan.baseline.name == "Seed"
    moved = doc("thorough-tiers").read_text(encoding="utf-8")
    moved = moved.replace(" [WE ARE HERE]", "").replace(
        "### Tier 1: Starter (500 teams)", "### Tier 1: Starter (500 teams) [WE ARE HERE]"
    )
    assert import_document(moved).plan.built_tier == 1


def test_alerts_route_to_what_the_bot_can_reach_and_the_rest_is_kept_as_text() -> None:
    agency = plan_of("agency-tenants")
    assert plan_routes(agency) == {"p0": "email", "p1": "slack", "p2": "slack"}
    assert agency.alert_channels[0].destination == "SMS + Email (Pingdom)"
    warnings = import_document(doc("agency-tenants").read_text(encoding="utf-8")).warnings
    assert any(w.startswith("line 143: SMS: not a destination") for w in warnings), warnings
    # Nothing reachable at all: the alerts channel.
    assert plan_routes(plan_of("game-backend")) == {"p0": "slack", "p1": "slack", "p2": "slack"}


def test_the_placeholders_count_as_absent() -> None:
    solo = plan_of("solo-seats")
    assert solo.pricing is None and solo.last_updated == ""
    assert solo.tiers[0].timeline == ""


def test_ask_prints_a_long_section_whole(tmp_path: Path) -> None:
    from bot.shell import ask

    long = "\n".join(f"- restore shard {n} from the nightly dump" for n in range(90))
    plan = tmp_path / "plan.md"
    plan.write_text(
        doc("solo-seats").read_text(encoding="utf-8") + f"\n## Restore Runbook\n\n{long}\n",
        encoding="utf-8",
    )
    settings = Settings(plan_path=plan, db_path=tmp_path / "bot.db")
    out = io.StringIO()
    assert ask("plan section restore", settings, out, io.StringIO()) == 0
    assert out.getvalue().endswith(f"## Restore Runbook\n\n{long}\n")


def test_the_sloppy_documents_three_differences_are_pointed_out() -> None:
    code, out = _check("sloppy")
    assert code == 0
    assert "Tier 2 starts from $50/mo where Tier 1 ends at $35–50/mo" in out
    assert "says +$75/mo but the component changes add up to +$80–95/mo" in out
    assert "says +58% but the figures give +59%" in out


@pytest.mark.parametrize(
    ("name", "tiers", "kept"),
    [
        ("thorough-tiers", "tiers 0–3 (teams, USD)", "20 sections kept as text"),
        ("b2b-api-eur", "tiers 0–2 (workspaces, EUR)", "1 section kept as text"),
        ("newsletter-gbp", "tiers 0–2 (readers, GBP)", "1 section kept as text"),
        ("orders-nonnative", "tiers 0–2 (orders, USD)", "0 sections kept as text"),
    ],
)
def test_check_plan_opens_with_the_tiers_unit_currency_and_what_is_kept(
    name: str, tiers: str, kept: str
) -> None:
    first = _check(name)[1].splitlines()[0]
    assert f"understood {tiers}, " in first and f", {kept}, " in first


def test_the_readmes_check_plan_example_is_what_check_plan_prints() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = next(line for line in readme.splitlines() if "md: understood" in line)
    printed = _check("thorough-tiers")[1].splitlines()[0]
    assert shown == printed.replace(str(doc("thorough-tiers")), "our-capacity-plan.md")
