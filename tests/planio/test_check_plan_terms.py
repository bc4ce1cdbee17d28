"""`check-plan` on a Markdown document names a tier as the document does ("Tier 2"), with
the line the document gave it on, never the YAML path `tiers[1]`."""

from __future__ import annotations

import io
from pathlib import Path

from bot.core.config import Settings
from bot.shell import check_plan

TEMPLATE = Path(__file__).parents[1] / "data" / "capacity-planning-template.md"


def _check(tmp_path: Path, old: str, new: str) -> tuple[int, str]:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.md"
    path.write_text(text.replace(old, new), encoding="utf-8")
    out = io.StringIO()
    return check_plan(str(path), Settings(), out), out.getvalue()


def _line_of(heading: str) -> int:
    lines = TEMPLATE.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(heading))


def test_a_tier_total_that_does_not_add_up_is_named_tier_2_on_its_line(tmp_path: Path) -> None:
    code, out = _check(tmp_path, "$95/mo → $415/mo (+$320/mo", "$95/mo → $500/mo (+$320/mo")
    assert code == 0
    assert "tiers[" not in out
    line = _line_of("### Tier 2:")
    assert f"warning: line {line}: Tier 2 stated_total: says $500/mo" in out


def test_a_tier_error_is_named_as_the_document_names_it(tmp_path: Path) -> None:
    code, out = _check(tmp_path, "(100 → 10,000 users)", "(100 → 500 users)")
    assert code == 1
    assert "tiers[" not in out
    assert f"error: line {_line_of('### Tier 2:')}: Tier 2 users: tier 2 must serve" in out
