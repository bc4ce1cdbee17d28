"""import-plan, export-plan, plan-diff and plan-schema as a person runs them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.app.cli import main
from bot.core.config import Settings
from bot.planio.planfile import default_plan, default_plan_text, load_plan
from store import Store
from tests.conftest import DATA

SEED = DATA / "capacity-planning-template.md"


def test_import_plan_prints_yaml_and_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-plan", str(SEED)]) == 0
    out, err = capsys.readouterr()
    assert yaml.safe_load(out)["tiers"][2]["users"] == 100_000
    assert "Multi-region demand" in err and "stays a text trigger" in err


def test_import_plan_writes_a_file_that_loads_as_the_same_plan(tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    assert main(["import-plan", str(DATA / "second-template.md"), "-o", str(target)]) == 0
    from bot.planio.document import import_document

    text = (DATA / "second-template.md").read_text(encoding="utf-8")
    assert load_plan(target) == import_document(text).plan


def test_a_document_with_no_cost_is_exit_1_with_the_line_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without a budget no tier has a cost: nothing can be served, the one refusal.
    doc = tmp_path / "plan.md"
    doc.write_text(SEED.read_text().replace("**Budget**: $40/mo total", "**Budget**: ?"))
    target = tmp_path / "plan.yaml"
    assert main(["import-plan", str(doc), "-o", str(target)]) == 1
    assert not target.exists()
    err = capsys.readouterr().err
    assert "nothing written" in err and "line 18: expected `**Budget**: $40/mo total`" in err


def test_a_price_worded_its_own_way_is_a_warning_and_the_rest_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "plan.md"
    doc.write_text(SEED.read_text().replace("**Pricing**: $25/mo per instructor", "**Pricing**: ?"))
    target = tmp_path / "plan.yaml"
    assert main(["import-plan", str(doc), "-o", str(target)]) == 0
    err = capsys.readouterr().err
    assert "warning: line 230: expected a price like `$25/mo per instructor`" in err
    assert load_plan(target).pricing is None


def test_export_plan_then_import_plan_gives_the_plan_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPACITY_DB", str(tmp_path / "none.db"))
    doc = tmp_path / "plan.md"
    assert main(["export-plan", "-o", str(doc)]) == 0
    assert load_plan(doc) == default_plan()


def test_plan_diff_says_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(default_plan_text())
    new = tmp_path / "new.yaml"
    new.write_text(
        default_plan_text()
        .replace(
            '"MAU > 8,000", rule: {metric: mau, op: ">", value: 8000}',
            '"MAU > 9,000", rule: {metric: mau, op: ">", value: 9000}',
        )
        .replace("new: APM (Datadog/New Relic), cost_change: 50", "new: APM, cost_change: 85")
    )
    assert main(["plan-diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "Tier 2 budget $415 → $450/mo" in out
    assert "rule tier2.mau: MAU > 8,000 → MAU > 9,000" in out


def test_plan_schema_validates_the_default_plan_and_is_the_committed_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(default_plan_text()))
    committed = Path(__file__).parents[2] / "docs" / "plan.schema.json"
    assert json.loads(committed.read_text()) == schema, (
        "run `capacity-bot plan-schema > docs/plan.schema.json` after changing the plan model"
    )
    assert default_plan_text().startswith(
        "# yaml-language-server: $schema=../../docs/plan.schema.json"
    )


def test_serve_refuses_a_plan_whose_words_and_rules_disagree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        default_plan_text().replace(
            '"MAU > 8,000", rule: {metric: mau, op: ">", value: 8000}',
            '"MAU > 8,000", rule: {metric: mau, op: ">", value: 9000}',
        )
    )
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(tmp_path / "capacity.db"),
        "CAPACITY_PLAN": str(plan),
        # Nothing may be reached: the plan is refused before Slack is called.
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--host", "127.0.0.1", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "tiers[1].triggers[0]: text says 8,000, rule says 9000" in err


class _Typing(io.StringIO):
    """Lines typed at the prompt; the plan file changes before the `plan reload` line."""

    def __init__(self, lines: list[str], before_reload: Callable[[], None]) -> None:
        super().__init__("\n".join(lines) + "\n")
        self.before_reload = before_reload

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        line = super().readline()
        if line.startswith("plan reload"):
            self.before_reload()
        return line


def test_the_shell_reloads_its_own_plan_without_recording_it(tmp_path: Path) -> None:
    # Imported here: bot.shell binds sys.stdout as a default when first imported, and other
    # tests read what it prints through capsys.
    from bot.shell import shell

    plan = tmp_path / "plan.yaml"
    plan.write_text(default_plan_text())
    settings = Settings(plan_path=plan, db_path=tmp_path / "capacity.db")
    changed = default_plan_text().replace(
        "new: APM (Datadog/New Relic), cost_change: 50", "new: APM, cost_change: 85"
    )
    typed = _Typing(
        ["tier 2", "plan reload", "tier 2", "plan export", "quit"],
        lambda: plan.write_text(changed),
    )
    out = io.StringIO()
    assert shell(settings, stdin=typed, out=out) == 0
    text = out.getvalue()
    assert "$95/mo -> $415/mo" in text and "$95/mo -> $450/mo" in text
    assert "Tier 2 budget $415 → $450/mo" in text
    assert "This reloaded the shell's plan" in text
    assert "**Total New Cost**: $95/mo → $450/mo (+$355/mo, +374%)" in text
    store = Store(tmp_path / "capacity.db")
    try:
        assert store.changes.search("reloaded") == []
        assert store.outbox.counts().get("pending", 0) == 0
    finally:
        store.close()


def test_ask_plan_export_prints_the_document(tmp_path: Path) -> None:
    from bot.shell import ask

    out = io.StringIO()
    assert ask("plan export", Settings(db_path=tmp_path / "capacity.db"), out=out) == 0
    assert "## Growth Projections" in out.getvalue()
