"""Word for word: export-plan gives a team's document back, figures updated, nothing of the
template's wording added (issue 23), for the worked example and every corpus document."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.plan import ChangeLogEntry, Plan
from bot.planio.doc_verbatim import BOT_APPENDIX, recomputed_lines
from bot.planio.doc_verbatim import export_plan_document as export_document
from bot.planio.doc_write import Live
from bot.planio.document import import_document

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = sorted(p for p in (DATA / "plans").glob("*.md") if p.name != "README.md")
DOCUMENTS = [DATA / "capacity-planning-template.md", *CORPUS]
IDS = [p.name for p in DOCUMENTS]
SAMPLES = (("Monthly active users", "850 users (2026-12-07 09:00 UTC)"),)


def counted(text: str, leave_out: frozenset[int] = frozenset()) -> list[str]:
    """The document's non-blank lines, trailing whitespace stripped, without Last Updated,
    the Measured now block and the (1-based) lines in `leave_out`."""
    out, measured = [], False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("**Measured now**"):
            measured = True
            continue
        if measured and line.startswith("- "):
            continue
        measured = False
        if not line.strip() or line.startswith("**Last Updated**") or number in leave_out:
            continue
        out.append(line)
    return out


def kept_share(source: str, export: str, leave_out: frozenset[int] = frozenset()) -> float:
    """The share of the source's counted lines found again unchanged, in order."""
    lines = counted(source, leave_out)
    found = difflib.SequenceMatcher(
        None, lines, [line.rstrip() for line in export.splitlines()], autojunk=False
    )
    return sum(block.size for block in found.get_matching_blocks()) / len(lines)


def edited(plan: Plan, more: Decimal = Decimal(10)) -> Plan:
    """The plan with Tier 1's first component costing `more` (as an edit in Slack would)."""
    tier = plan.tiers[0]
    change = tier.changes[0]
    high = None if change.cost_change_high is None else change.cost_change_high + more
    change = change.model_copy(
        update={"cost_change": change.cost_change + more, "cost_change_high": high}
    )
    tier = tier.model_copy(update={"changes": (change, *tier.changes[1:])})
    return plan.model_copy(update={"tiers": (tier, *plan.tiers[1:])})


def shape(line: str) -> str:
    """A line's words, units and symbols: its figures blanked."""
    return re.sub(r"\d[\d,.]*", "#", line)


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_the_plan_as_read_comes_back_as_the_team_wrote_it(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    plan = import_document(source).plan
    live = Live(today="2026-12-07", samples=SAMPLES)
    export = export_document(plan, live, source)
    noted = recomputed_lines(source, plan)  # only where the stated figures do not add up
    for before, after in noted.values():
        assert after.startswith(f"{before} (capacity-bot: ")
    assert kept_share(source, export, frozenset(noted)) == 1.0
    assert BOT_APPENDIX not in export  # nothing the document's lines do not already say
    assert export.count("**Measured now**") == 1
    assert "**Last Updated**: 2026-12-07" in export or "**Last Updated**" not in source
    again = import_document(export).plan
    assert again.model_copy(update={"last_updated": plan.last_updated}) == plan


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_the_plan_round_trips_exactly(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    plan = import_document(source).plan
    assert import_document(export_document(plan, Live(), source)).plan == plan


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_an_edited_component_cost_updates_its_lines_in_the_teams_words(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    plan = edited(import_document(source).plan)
    changed = recomputed_lines(source, plan)
    export = export_document(plan, Live(), source)
    assert import_document(export).plan == plan
    assert changed, "the edited component's line and its tier's total change"
    lines = export.splitlines()
    for number, (before, after) in changed.items():
        assert after != before
        words = after.split(" (capacity-bot: ")[0]  # a note beside a figure that is off
        assert shape(words) == shape(before), f"line {number}: {before!r} became {after!r}"
        assert after in lines
    assert kept_share(source, export, frozenset(changed)) == 1.0


def test_the_worked_examples_recomputed_lines_before_and_after() -> None:
    """Tier 1's API change +$20 -> +$30: $105/mo is 5 paying instructors at $25 (4.2 up),
    25 for a 5x margin rounded up to 5, $625 revenue, 83% margin; $0.105 per user."""
    source = DOCUMENTS[0].read_text(encoding="utf-8")
    changed = recomputed_lines(source, edited(import_document(source).plan))
    after = {before: after for before, after in changed.values()}
    assert after == after | {
        "| API | 1 container (1GB RAM) | 2 containers (2GB RAM each) | +$20/mo |": (
            "| API | 1 container (1GB RAM) | 2 containers (2GB RAM each) | +$30/mo |"
        ),
        "**Total New Cost**: $40/mo → $95/mo (+$55/mo, +137%)": (
            "**Total New Cost**: $40/mo → $105/mo (+$65/mo, +162%)"
        ),
        "**Total New Cost**: $95/mo → $415/mo (+$320/mo, +337%)": (
            "**Total New Cost**: $105/mo → $425/mo (+$320/mo, +305%)"
        ),
        "- Cost per user: $0.095/mo (~$1.14/year)": "- Cost per user: $0.105/mo (~$1.26/year)",
        "- Tier 1 ($95/mo cost): 4 paying instructors": (
            "- Tier 1 ($105/mo cost): 5 paying instructors"
        ),
        "- Tier 1: 20 instructors → $500/mo revenue, $95 cost = 81% margin": (
            "- Tier 1: 25 instructors → $625/mo revenue, $105 cost = 83% margin"
        ),
    }
    assert "**Economics**: Cost per user decreases as we scale (economies of scale)" not in after


def test_an_earlier_exports_appendix_is_replaced_not_repeated() -> None:
    source = DOCUMENTS[0].read_text(encoding="utf-8")
    plan = import_document(source).plan
    plan = plan.model_copy(update={"last_updated": "2026-12-01", "product": "Tide"})
    first = export_document(plan, Live(built_tier=1), source)
    second = export_document(plan, Live(built_tier=1), first)
    assert first.count(BOT_APPENDIX) == 1
    assert second == first


def test_change_log_entries_added_in_slack_come_back() -> None:
    source = DOCUMENTS[0].read_text(encoding="utf-8")
    plan = import_document(source).plan
    entry = ChangeLogEntry(
        date="2026-12-07", change="Added a read replica", reason="Reports", impact="+$40/mo"
    )
    export = export_document(plan, Live(changes=(entry, *plan.change_log)), source)
    assert "Added a read replica" in export
    assert kept_share(source, export) == 1.0


def test_a_yaml_plan_still_exports_as_the_template() -> None:
    plan = import_document(DOCUMENTS[0].read_text(encoding="utf-8")).plan
    assert export_document(plan, Live()).startswith("# Capacity Planning")


def test_readmes_before_and_after_is_what_export_plan_writes() -> None:
    readme = (DATA.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
    shown = dict(zip(block[0::2], block[1::2], strict=True))
    source = DOCUMENTS[0].read_text(encoding="utf-8")
    changed = recomputed_lines(source, edited(import_document(source).plan))
    written = {before: after for before, after in changed.values()}
    for before, after in shown.items():
        assert written[before[1:]] == after[1:]


def test_a_stated_figure_that_does_not_add_up_is_kept_with_the_bots_word_beside_it() -> None:
    source = (DATA / "plans" / "sloppy.md").read_text(encoding="utf-8")
    plan = import_document(source).plan
    export = export_document(plan, Live(), source)
    assert (
        "**Total New Cost**: $125/mo → $199/mo (+$74/mo, +58%) (capacity-bot: the figures"
        " give +59%)" in export.splitlines()
    )
    assert import_document(export).plan == plan
    assert export_document(plan, Live(), export) == export  # the note is not repeated


def test_export_plan_and_plan_export_give_the_served_document_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the terminal's export-plan and the command `plan export` (Slack's path)."""
    import io

    from bot.app.cli import main
    from bot.core.config import Settings
    from bot.shell import ask

    document = DATA / "plans" / "game-backend.md"
    source = document.read_text(encoding="utf-8")
    monkeypatch.setenv("CAPACITY_PLAN", str(document))
    monkeypatch.setenv("CAPACITY_DB", str(tmp_path / "none.db"))
    target = tmp_path / "exported.md"
    assert main(["export-plan", "-o", str(target)]) == 0
    out = io.StringIO()
    settings = Settings(plan_path=document, db_path=tmp_path / "capacity.db")
    assert ask("plan export", settings, out=out) == 0
    for export in (target.read_text(encoding="utf-8"), out.getvalue()):
        assert kept_share(source, export) == 1.0
        assert len(export.splitlines()) == len(source.splitlines())


@pytest.mark.parametrize("name", ["solo-seats.md", "ski-instructors-chf.md", "sloppy.md"])
def test_a_section_the_document_lacks_is_added_in_the_templates_shape(name: str) -> None:
    """Targets and scenarios the document never had (given since, say in a YAML patch)
    are written as the template's sections at the end, not as an appendix; the team's
    lines all stay."""
    seed = import_document(DOCUMENTS[0].read_text(encoding="utf-8")).plan
    source = (DATA / "plans" / name).read_text(encoding="utf-8")
    plan = import_document(source).plan
    assert not plan.targets and not plan.scenarios
    plan = plan.model_copy(update={"targets": seed.targets, "scenarios": seed.scenarios})
    export = export_document(plan, Live(), source)
    assert export.count("## Performance Targets by Tier") == 1
    assert export.count("## Disaster Scenarios") == 1
    assert BOT_APPENDIX not in export
    noted = frozenset(recomputed_lines(source, plan))  # sloppy's figures that do not add up
    assert kept_share(source, export, noted) == 1.0
    assert import_document(export).plan == plan


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_every_component_cost_edited_keeps_the_plan_and_the_teams_words(path: Path) -> None:
    """Each component change of each tier edited in turn: the plan round-trips exactly,
    and every line the export changes keeps its words, only its figures differ."""
    source = path.read_text(encoding="utf-8")
    plan = import_document(source).plan
    for number, tier in enumerate(plan.tiers):
        for index, change in enumerate(tier.changes):
            high = None if change.cost_change_high is None else change.cost_change_high + 7
            moved = change.model_copy(
                update={"cost_change": change.cost_change + 7, "cost_change_high": high}
            )
            changes = tuple(moved if i == index else c for i, c in enumerate(tier.changes))
            tiers = list(plan.tiers)
            tiers[number] = tier.model_copy(update={"changes": changes})
            edit = plan.model_copy(update={"tiers": tuple(tiers)})
            export = export_document(edit, Live(), source)
            assert import_document(export).plan == edit, (number, index)
            changed = recomputed_lines(source, edit)
            for before, after in changed.values():
                assert shape(after.split(" (capacity-bot: ")[0]) == shape(before)
            assert kept_share(source, export, frozenset(changed)) == 1.0
