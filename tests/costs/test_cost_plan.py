"""The plan's `costs` section: rules match as written, and check-plan refuses what cannot be."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.core.config import Settings
from bot.domain.cost_plan import CostRule
from bot.shell import check_plan
from tests.costs.conftest import COSTS, costed_plan

KEY = ("AWS", "Amazon ElastiCache", "Databases", "arn:aws:elasticache:us-east-1:1:c/x", "", "")


@pytest.mark.parametrize(
    ("rule", "tags", "matches"),
    [
        ({"service": "amazon elasticache"}, {}, True),  # any case
        ({"service": "Amazon *"}, {}, True),
        ({"provider": "AWS", "service": "Amazon RDS"}, {}, False),  # every field must match
        ({"resource": "arn:aws:elasticache:*"}, {}, True),
        ({"tag": "component=cache"}, {"Component": "Cache"}, True),
        ({"tag": "component=api"}, {"component": "cache"}, False),
        ({"tag": "env"}, {"env": "prod"}, True),
        ({"vendor": "aws"}, {}, True),  # a FOCUS line's vendor is its provider
    ],
)
def test_a_rule_matches_every_field_it_names(
    rule: dict[str, str], tags: dict[str, str], matches: bool
) -> None:
    assert CostRule(component="Cache", **rule).matches(KEY, tags) is matches


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ({"rules": [{"vendor": "Railway", "component": "Billing"}]}, "no component 'Billing'"),
        ({"rules": [{"component": "API"}]}, "needs at least one of provider"),
        ({"line_items": [{"item": "Heroku", "component": "API"}]}, "no line item 'Heroku'"),
        (
            {"line_items": [{"item": "Railway", "shares": {"API": 50, "Cache": 40}}]},
            "shares add up to 90, not 100",
        ),
        ({"amount": "ListCost"}, "BilledCost"),
    ],
)
def test_a_wrong_costs_section_is_refused_naming_it(costs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        costed_plan(**costs)


def test_check_plan_reads_the_costs_section(tmp_path: Path) -> None:
    data = costed_plan().model_dump(mode="json", exclude_defaults=True)
    good = tmp_path / "plan.yaml"
    good.write_text(yaml.safe_dump(data))
    out = io.StringIO()
    assert check_plan(str(good), Settings(), out) == 0
    data["costs"] = {**COSTS, "rules": [{"vendor": "Railway", "component": "Billing"}]}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    assert check_plan(str(bad), Settings(), out) == 1
    assert "costs.rules[0].component: the plan has no component 'Billing'" in out.getvalue()
