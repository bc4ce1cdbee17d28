"""The plan setting "computed wins" (issue 23, item 2): by default a stated figure that does
not add up stays with capacity-bot's note beside it; `**Stated figures**: computed` (YAML
`stated_figures: computed`) has export-plan write the computed figure in the team's
words, with no note, and answers show it too. An unknown value is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.doctor.checks import check_plan as doctor_plan
from bot.domain.costs import tier_costs
from bot.planio.doc_verbatim import BOT_APPENDIX, export_plan_document, recomputed_lines
from bot.planio.doc_write import Live
from bot.planio.document import import_document
from bot.planio.errors import PlanError
from bot.planio.planfile import default_plan_text, parse_plan
from bot.shell import ask, check_plan
from tests.planio.test_edited_figures import DOCUMENTS, edits

DATA = Path(__file__).resolve().parents[1] / "data"
SLOPPY = (DATA / "plans" / "sloppy.md").read_text(encoding="utf-8")
SETTING = "**Stated figures**: computed"
TIER_2 = "**Total New Cost**: $50/mo → $125/mo (+$75/mo)"
TIER_3 = "**Total New Cost**: $125/mo → $199/mo (+$74/mo, +58%)"


def with_line(text: str, line: str) -> str:
    """The document with `line` under its Last Updated line (its settings' place)."""
    head, rest = text.split("**Last Updated**: [DATE]\n", 1)
    return f"{head}**Last Updated**: [DATE]\n{line}\n{rest}"


def test_by_default_the_teams_figures_stay_with_the_bots_note() -> None:
    plan = import_document(SLOPPY).plan
    assert plan.stated_figures == "kept"
    lines = export_plan_document(plan, Live(), SLOPPY).splitlines()
    assert f"{TIER_3} (capacity-bot: the figures give +59%)" in lines
    assert any(line.startswith(f"{TIER_2} (capacity-bot: ") for line in lines)


def test_computed_wins_writes_the_computed_figures_in_the_teams_words() -> None:
    """Tier 1 ends at $35-50/mo and Tier 2's changes add +$80-95/mo: Tier 2 runs $35-50 →
    $115-145/mo, Tier 3 $115-145 → $189-219/mo (+$74, +51-64%), written as the team
    writes a range; no note, no appendix, every other line as it was."""
    source = with_line(SLOPPY, SETTING)
    plan = import_document(source).plan
    assert plan.stated_figures == "computed"
    changed = {before: after for before, after in recomputed_lines(source, plan).values()}
    assert changed == {
        TIER_2: "**Total New Cost**: $35-50/mo → $115-145/mo (+$80-95/mo)",
        TIER_3: "**Total New Cost**: $115-145/mo → $189-219/mo (+$74/mo, +51-64%)",
    }
    export = export_plan_document(plan, Live(), source)
    assert "capacity-bot:" not in export and BOT_APPENDIX not in export
    assert SETTING in export.splitlines()
    unchanged = [line for line in source.splitlines() if line not in changed]
    assert [line for line in export.splitlines() if line not in changed.values()] == unchanged
    assert import_document(export).plan == plan
    assert export_plan_document(plan, Live(), export) == export


def test_computed_wins_in_the_answers_too(tmp_path: Path) -> None:
    """`tier 3` through the terminal, the document with and without the setting."""
    shown = {}
    for name, text in (("computed", with_line(SLOPPY, SETTING)), ("kept", SLOPPY)):
        document = tmp_path / f"{name}.md"
        document.write_text(text, encoding="utf-8")
        out = io.StringIO()
        settings = Settings(plan_path=document, db_path=tmp_path / f"{name}.db")
        assert ask("tier 3", settings, out=out) == 0
        shown[name] = out.getvalue()
    assert "$115–145/mo -> $189–219/mo (+$74/mo, +51–64%)" in shown["computed"]
    assert "Does not add up" not in shown["computed"]
    assert "$125/mo -> $199/mo (+$74/mo, +58%)" in shown["kept"]
    assert "Does not add up" in shown["kept"]


@pytest.mark.parametrize("said", ["computed wins", "Computed (the sums are right)", "computed."])
def test_the_setting_reads_as_a_team_would_write_it(said: str) -> None:
    plan = import_document(with_line(SLOPPY, f"**Stated figures**: {said}")).plan
    assert plan.stated_figures == "computed"
    assert import_document(with_line(SLOPPY, "**Stated figures**: kept")).plan == (
        import_document(SLOPPY).plan
    )


def test_an_unknown_value_is_refused_with_its_line_and_a_working_example() -> None:
    with pytest.raises(PlanError) as refused:
        import_document(with_line(SLOPPY, "**Stated figures**: the sums"))
    (problem,) = refused.value.problems
    assert problem.startswith("line 4: expected `**Stated figures**: computed`")
    assert "found `the sums`" in problem
    with pytest.raises(PlanError) as yaml_refused:
        parse_plan(default_plan_text() + "\nstated_figures: computd\n")
    (problem,) = yaml_refused.value.problems
    assert "stated_figures: Input should be 'kept' or 'computed'" in problem
    assert "for example `stated_figures: kept`" in problem


def test_a_yaml_plan_sets_it_and_its_stated_total_gives_way() -> None:
    plan = parse_plan(default_plan_text() + "\nstated_figures: computed\n")
    assert plan.stated_figures == "computed"
    tiers = list(plan.tiers)
    tiers[0] = tiers[0].model_copy(update={"stated_total": 100})
    wins = plan.model_copy(update={"tiers": tuple(tiers)})
    assert tier_costs(wins)[1].total == 95  # the $40 budget plus Tier 1's +$55
    kept = wins.model_copy(update={"stated_figures": "kept"})
    assert tier_costs(kept)[1].total == 100


def test_check_plan_says_the_computed_figures_win(tmp_path: Path) -> None:
    document = tmp_path / "plan.md"
    document.write_text(with_line(SLOPPY, SETTING), encoding="utf-8")
    out = io.StringIO()
    assert check_plan(str(document), Settings(db_path=tmp_path / "c.db"), out=out) == 0
    first = out.getvalue().splitlines()[0]
    assert first.endswith("stated figures: the computed ones win")


def test_the_appendix_may_set_it_and_keeps_it() -> None:
    source = SLOPPY + "\n## Appendix: for capacity-bot\n\n```yaml\nstated_figures: computed\n```\n"
    plan = import_document(source).plan
    assert plan.stated_figures == "computed"
    export = export_plan_document(plan, Live(), source)
    assert "**Total New Cost**: $115-145/mo → $189-219/mo (+$74/mo, +51-64%)" in export
    assert export.count(BOT_APPENDIX) == 1 and "stated_figures: computed" in export
    assert "capacity-bot:" not in export.replace(BOT_APPENDIX, "")
    assert import_document(export).plan == plan


def diff_block(index: int) -> dict[str, str]:
    """README's `index`-th before/after block: the line before -> the line after."""
    readme = (DATA.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```diff\n")[index + 1].split("```", 1)[0].splitlines()
    return {before[1:]: after[1:] for before, after in zip(block[0::2], block[1::2], strict=True)}


def test_readmes_before_and_after_of_the_setting_is_what_export_plan_writes() -> None:
    (before, after), *_ = diff_block(2).items()
    kept = export_plan_document(import_document(SLOPPY).plan, Live(), SLOPPY)
    source = with_line(SLOPPY, SETTING)
    computed = export_plan_document(import_document(source).plan, Live(), source)
    assert before in kept.splitlines()
    assert after in computed.splitlines()


def test_the_plan_answer_and_doctor_show_the_setting(tmp_path: Path) -> None:
    for name, text, said in (
        ("computed", with_line(SLOPPY, SETTING), "computed (the plan's arithmetic wins)"),
        ("kept", SLOPPY, "kept (yours stay where they do not add up, with a note)"),
    ):
        document = tmp_path / f"{name}.md"
        document.write_text(text, encoding="utf-8")
        settings = Settings(plan_path=document, db_path=tmp_path / f"{name}.db")
        out = io.StringIO()
        assert ask("plan", settings, out=out) == 0
        assert f"Stated figures: {said}" in out.getvalue()
        check, _plan = doctor_plan(settings)
        assert check.ok
        assert ("the computed figures win" in check.detail) == (name == "computed")


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_with_the_setting_every_document_round_trips_as_read_and_edited(path: Path) -> None:
    """The setting's line under Last Updated: the export needs no appendix, and every
    editable figure edited in turn comes back exactly."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("**Last Updated**"))
    source = "\n".join([*lines[: at + 1], SETTING, *lines[at + 1 :]]) + "\n"
    plan = import_document(source).plan
    assert plan.stated_figures == "computed"
    export = export_plan_document(plan, Live(), source)
    assert BOT_APPENDIX not in export and "capacity-bot:" not in export
    assert import_document(export).plan == plan
    for key, _where, _field, edit in edits(plan):
        assert import_document(export_plan_document(edit, Live(), source)).plan == edit, key


def test_a_yaml_plan_with_the_setting_exports_its_line_not_an_appendix_entry() -> None:
    plan = parse_plan(default_plan_text() + "\nstated_figures: computed\n")
    export = export_plan_document(plan, Live())
    assert SETTING in export.split("\n## ", 1)[0].splitlines()
    assert "stated_figures" not in export
    assert import_document(export).plan == plan
