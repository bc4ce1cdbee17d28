"""Plan files: broken ones are refused with every error located; warnings are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.domain.checks import plan_warnings
from bot.planio.planfile import PlanError, default_plan_text, load_plan, parse_plan


def _broken(edit: str) -> str:
    data = yaml.safe_load(default_plan_text())
    exec(edit, {"data": data})
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("edit", "location", "words"),
    [
        (
            "data['tiers'][2]['changes'][1]['cost_change'] = 'a lot'",
            "tiers[2].changes[1].cost_change",
            "decimal",
        ),
        ("data['tiers'][0]['users'] = -5", "tiers[0].users", "greater than 0"),
        (
            "data['tiers'][1]['triggers'][0]['rule']['op'] = '=>'",
            "tiers[1].triggers[0].rule.op",
            "'>'",
        ),
        (
            "data['scaling_triggers'][0]['rule']['for'] = 'forever'",
            "scaling_triggers[0].rule.for",
            "not a duration",
        ),
        ("data['pricing']['prise'] = 25", "pricing.prise", "unknown field"),
        (
            "del data['formulas']['compute']['efficiency']",
            "formulas.compute.efficiency",
            "required",
        ),
        (
            "data['thresholds'][0]['rule']['metric'] = 'cpu'",
            "thresholds[0].rule.metric",
            "unknown metric 'cpu'",
        ),
        ("data['tiers'][1]['users'] = 500", "tiers[1].users", "more users than the tier before"),
        (
            "data['scaling_triggers'][0]['runbook'] = 'fire'",
            "scaling_triggers[0].runbook",
            "no scenario has id 'fire'",
        ),
    ],
)
def test_broken_plan_is_refused_with_the_location(edit: str, location: str, words: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(_broken(edit), "plan.yaml")
    problems = "\n".join(caught.value.problems)
    assert f"{location}: " in problems
    assert words in problems


def test_every_error_is_reported_not_just_the_first() -> None:
    text = _broken("data['tiers'][0]['users'] = 'many'; data['pricing']['price'] = -1")
    with pytest.raises(PlanError) as caught:
        parse_plan(text)
    assert len(caught.value.problems) == 2


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan("product: x\ntiers: [\n  - name: a\n")
    assert caught.value.problems[0].startswith("line ")


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read"):
        load_plan(tmp_path / "nope.yaml")


def test_default_plan_warns_about_the_template_contradictions() -> None:
    warnings = "\n".join(plan_warnings(load_plan()))
    assert "add up to $35/mo but the budget says $40/mo" in warnings
    assert "~20 req/sec" in warnings and "3.5 req/sec" in warnings


def test_stated_total_that_disagrees_is_a_warning() -> None:
    plan = parse_plan(_broken("data['tiers'][1]['stated_total'] = 400"))
    assert any("tiers[1].stated_total: says $400/mo" in w for w in plan_warnings(plan))
