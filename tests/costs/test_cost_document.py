"""The mapping as a table in the plan document: exported, read back, edited by hand."""

from __future__ import annotations

import pytest

from bot.planio.doc_write import export_document
from bot.planio.document import import_document
from bot.planio.errors import PlanError
from bot.planio.planfile import default_plan
from tests.costs.conftest import costed_plan


def test_the_mapping_is_a_table_in_the_document_and_reads_back() -> None:
    plan = costed_plan(amount="EffectiveCost")
    text = export_document(plan)
    assert "## Cost Mapping" in text
    assert "| provider = AWS, service = Amazon EC2 | API |" in text
    assert "| Railway | API 50%, Database 35%, Cache 15% |" in text
    # Read from the table, not carried in the appendix.
    assert "costs:" not in text.split("## Appendix")[-1]
    back = import_document(text).plan
    assert back.costs == plan.costs


def test_a_plan_without_a_mapping_writes_no_section() -> None:
    assert "Cost Mapping" not in export_document(default_plan())


def test_a_table_edited_by_hand_is_read_and_a_bad_row_named() -> None:
    text = export_document(costed_plan())
    edited = text.replace(
        "| vendor = Clerk | Auth |", "| vendor = Clerk | Auth |\n| service = Amazon S3 | Storage |"
    )
    rules = import_document(edited).plan.costs.rules
    assert rules[-1].service == "Amazon S3" and rules[-1].component == "Storage"
    broken = text.replace("| vendor = Clerk | Auth |", "| colour = blue | Auth |")
    with pytest.raises(PlanError) as caught:
        import_document(broken)
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "colour = blue" in t)
    assert any(
        p.startswith(f"line {line}: expected `field = value`") for p in caught.value.problems
    )
