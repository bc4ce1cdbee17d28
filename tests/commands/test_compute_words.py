"""`compute`: the bot's own figures are one exact value and one rounding rule; the plan's
own worked example is quoted as the plan wrote it, and labelled as the plan's."""

from __future__ import annotations

import re

from bot.domain.plan import Plan
from tests.conftest import answer, squash


def _before_plan_quote(text: str) -> str:
    return text.split("The plan's example")[0]


def test_compute_100_states_one_exact_value_and_one_rounding_rule(template: str) -> None:
    text = squash(answer("compute 100"))
    own = _before_plan_quote(text)
    assert "28.57 vCPUs" in own  # 100 / 3.5
    assert "28.6" not in own and "~30" not in own  # no second or third figure for the same need
    assert len(re.findall(r"rounded up", own)) == 1
    assert "29 containers (1 vCPU each)" in own
    assert "8 containers (4 vCPU each)" in own
    # The plan's line, word for word, and said to be the plan's.
    written = next(
        line.removeprefix("- ") for line in template.splitlines() if "For 100 req/sec" in line
    )
    assert "The plan's example" in text
    assert squash(written) in text


def test_a_plan_without_an_example_line_gets_only_the_bots_figures(second_plan: Plan) -> None:
    text = squash(answer("compute 215", second_plan))
    assert "43 vCPUs" in text  # 215 / 5
    assert "~" not in text
    assert "The plan's example" not in text
