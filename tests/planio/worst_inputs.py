"""The worst inputs of the document readers of issue 22, 100,000 characters each: run
one by one in a child process by tests/planio/test_reader_hang_guards.py, which kills it
if it does not end (a quadratic reader would take hours on these)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from decimal import Decimal

from bot.domain.rule_text import RuleContext
from bot.planio.doc_figures import swap_figures
from bot.planio.doc_read_ops import read_channel
from bot.planio.doc_read_tiers import _key, heading_notes, line_item, step_columns
from bot.planio.doc_reader import Reader
from bot.planio.doc_verbatim import _noted
from bot.planio.document import import_document
from bot.planio.errors import PlanError
from bot.planio.mdblocks import Table, parse_sections

N = 100_000
TOP = "# P\n## Current Scale\n**Users**: 10\n**Budget**: $5/mo\n"


def _reader() -> Reader:
    return Reader(RuleContext.build(()))


def _import(text: str) -> None:
    with contextlib.suppress(PlanError):  # refused is fine: only no answer at all is not
        import_document(text)


CASES: dict[str, Callable[[], object]] = {
    "heading notes": lambda: heading_notes("Tier 0" + "[a]" * (N // 3)),
    "heading brackets": lambda: heading_notes("Tier 0 [x]" + " " * N + "]"),
    "line item without digits": lambda: line_item(1, "a " * (N // 2), _reader()),
    "line item of parentheses": lambda: line_item(1, "a: $5 " + "(" * N, _reader()),
    "channel of parentheses": lambda: read_channel(1, "Critical (" + "(" * N + ": x", _reader()),
    "channel of joints": lambda: read_channel(1, "High: " + "Slack + " * (N // 8), _reader()),
    "channel of spaces": lambda: read_channel(1, "Critical" + " " * N + "x", _reader()),
    "component key": lambda: _key("a" * N),
    "step columns": lambda: step_columns(
        Table(1, ["Signal", *["a →"] * (N // 3)]), [{"name": "x"}]
    ),
    "label of spaces": lambda: parse_sections("**x**" + " " * N + "y"),
    "label colon inside": lambda: parse_sections("**" + "a" * N + ":**"),
    "heading of spaces": lambda: parse_sections("## x" + " " * N + "y"),
    "heading of hashes": lambda: parse_sections("## x " + "# " * (N // 2) + "y"),
    "tier heading": lambda: _import(
        TOP + "## Growth Projections\n### Tier 1: x (" + "1 " * (N // 2)
    ),
    "tier heading spaces": lambda: _import(TOP + "## Growth\n### Tier 1:" + " " * N + "x (1)"),
    "tiers shape": lambda: _import(
        "## Tiers\n### Tier 0: Seed (5 teams) "
        + "[a]" * (N // 3)
        + "\n**Costs**:\n- a: $5\n### Tier 1: B (50 teams)\n**Costs**:\n- "
        + "x" * N
    ),
    "steps table": lambda: _import(
        "## Tiers\n### Tier 0: S (5 teams)\n**Costs**:\n- a: $5\n### Tier 1: B (50 teams)\n"
        "**Costs**:\n- a: $9\n## Scaling Triggers\n| Signal | S → B |\n|---|---|\n| MRR | "
        + "> " * (N // 2)
        + "|"
    ),
    "budget line item": lambda: _import(TOP + "  - Railway: " + " " * N + "$5 x("),
    "kept section": lambda: _import(
        TOP + "## Growth\n### Tier 1: x (100)\n## Notes\n" + "- a\n" * (N // 4)
    ),
    # issue 23: the export's figure swap and its note over one long line of the team's
    "figures swapped": lambda: swap_figures(
        "Tier 1 $95 " * (N // 11), [(Decimal(n), Decimal(n + 1)) for n in range(90, 110)]
    ),
    "note replaced": lambda: _noted(" (capacity-bot: " * (N // 16), ["x"]),
}


if __name__ == "__main__":
    CASES[sys.argv[1]]()
