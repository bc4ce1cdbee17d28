"""A damaged document is read or refused with located problems, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.planio.document import import_document
from bot.planio.planfile import PlanError
from tests.conftest import DATA

LINES = (DATA / "capacity-planning-template.md").read_text(encoding="utf-8").splitlines()
SECOND = (DATA / "second-template.md").read_text(encoding="utf-8").splitlines()
JUNK = st.sampled_from(
    [
        "",
        "|",
        "| a |",
        "**",
        "**X**:",
        "- ",
        "1. **",
        "### Tier 9: X",
        "```yaml",
        "# Capacity",
        "**Triggers**:",
        "- MAU > ",
        "| A | B | C | +$x |",
        "**Pricing**: $/mo per",
        "[DATE]",
        "**Healthy Margin** (0x cost coverage):",
        "### Tier 1: Y (→ users)",
        "## Appendix",
        "tiers: {9: {users: 1}}",
        "- Avg file size: MB",
        "**Current**: max connections",
    ]
)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    lines = list(draw(st.sampled_from([LINES, SECOND])))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "insert", "replace", "digits"]))
        if action == "delete":
            del lines[where]
        elif action == "insert":
            lines.insert(where, draw(JUNK))
        elif action == "replace":
            lines[where] = draw(JUNK)
        else:
            lines[where] = "".join("7" if c.isdigit() else c for c in lines[where])
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(damaged())
def test_a_damaged_document_is_read_or_refused_with_lines(text: str) -> None:
    try:
        result = import_document(text, "doc.md")
    except PlanError as exc:
        assert exc.problems and all(p.strip() for p in exc.problems)
        return
    assert result.plan.tiers


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "**Pricing**: $25/mo per instructor",
            "**Pricing**: $0/mo per instructor",
            "line 230: pricing.price",
        ),
        (
            "- Efficiency factor: 0.7 (70% utilization)",
            "- Efficiency factor: 0",
            "line 163: formulas.compute.efficiency",
        ),
        (
            "- Avg response time: 200ms",
            "- Avg response time: 0ms",
            "line 163: formulas.compute.avg_response_seconds",
        ),
        ("(5x cost coverage)", "(0x cost coverage)", "line 230: pricing.healthy_multiple"),
    ],
)
def test_zeros_are_refused_with_their_section_line(old: str, new: str, expected: str) -> None:
    text = "\n".join(LINES)
    assert old in text
    with pytest.raises(PlanError) as caught:
        import_document(text.replace(old, new), "doc.md")
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems
