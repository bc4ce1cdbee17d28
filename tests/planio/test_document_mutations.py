"""The worked example worded, cut, shuffled and added to the way real teams do (issue 22):
importing never fails, and every command a mutation does not declare it may change gives
exactly the answer of the untouched document.

Amounts turned into ranges or into euros with a dollar conversion are rewordings too:
the team's stated totals win over the sums, so a range in one component changes only the
tier that shows it (and says the figures do not add up)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.planio.document import import_document
from tests.conftest import DATA, answer

TEMPLATE = (DATA / "capacity-planning-template.md").read_text(encoding="utf-8")

COMMANDS = (
    "tiers",
    "tier 0",
    "tier 1",
    "tier 2",
    "tier 3",
    "cost",
    "cost 5000",
    "breakeven",
    "breakeven 30",
    "compute 100",
    "connections 5",
    "storage 1000",
    "targets",
    "targets 2",
    "triggers",
    "scenario",
    "scenario traffic-spike",
    "plan sections",
)
SIZING = frozenset({"compute 100", "connections 5", "storage 1000"})


@dataclass(frozen=True)
class Mutation:
    """A change to the document's text and the commands whose answers it may change."""

    name: str
    may_change: frozenset[str]


@dataclass(frozen=True)
class Reword(Mutation):
    old: str
    new: str

    def apply(self, sections: list[str]) -> list[str]:
        return [s.replace(self.old, self.new) for s in sections]


@dataclass(frozen=True)
class Delete(Mutation):
    heading: str

    def apply(self, sections: list[str]) -> list[str]:
        return [s for s in sections if not s.startswith(self.heading)]


REWORDS = (
    Reword("current scale", frozenset(), "## Current Scale (", "## Actual Scale ("),
    Reword("growth", frozenset(), "## Growth Projections", "## Projections of Growth"),
    Reword(
        "changes",
        frozenset(),
        "**Infrastructure Changes**:",
        "**Changes on Infrastructure**:",
    ),
    Reword("triggers colon", frozenset(), "**Triggers**:", "**Triggers:**"),
    Reword("timeline colon", frozenset(), "**Timeline**:", "**Timeline:**"),
    Reword("users label", frozenset(), "**Users**: 100 active", "**Pilots**: 100 active"),
    Reword("scenarios", frozenset(), "## Disaster Scenarios", "## Scenarios of Disaster"),
    Reword("monitoring", frozenset(), "## Monitoring & Alerts", "## Alerting and Monitoring"),
    Reword("channels", frozenset(), "**Alert Channels**:", "**Alerts**:"),
    # Values: a range under a stated total, euros with the dollar figure beside them.
    Reword(
        "change range",
        frozenset({"tier 1"}),
        "| Dedicated Redis | +$10/mo |",
        "| Dedicated Redis | +$10-15/mo |",
    ),
    Reword(
        "change in euros",
        frozenset(),
        "| Add read replica | +$15/mo |",
        "| Add read replica | +€14/mo (~$15/mo) |",
    ),
    Reword(
        "item in euros",
        frozenset({"tier 0"}),
        "  - Railway: $30 (API + PostgreSQL + Redis)",
        "  - Railway: €28/mo (~$30/mo)",
    ),
    Reword(
        "budget range",
        frozenset({"tier 0", "tiers", "tier 1", "triggers"}),
        "**Budget**: $40/mo total",
        "**Budget**: $35-50/mo total",
    ),
    Reword(
        "total range",
        frozenset(
            {
                "tiers",
                "tier 1",
                "tier 2",
                "tier 3",
                "cost",
                "cost 5000",
                "breakeven",
                "breakeven 30",
            }
        ),
        "**Total New Cost**: $95/mo → $415/mo (+$320/mo, +337%)",
        "**Total New Cost**: $95/mo → $400-430/mo (+$305-335/mo, +321-353%)",
    ),
)
# Deleting a section changes the commands that read it, and `triggers` wherever the
# section gives the words of triggers their meaning (the connection limit, the targets).
DELETES = (
    Delete("no resources", SIZING | {"triggers"}, "## Resource Estimates"),
    Delete("no cost model", frozenset({"breakeven", "breakeven 30"}), "## Cost Model"),
    # compute proposes the containers that hold the built tier's p95 target (the queue model)
    Delete(
        "no targets",
        frozenset({"targets", "targets 2", "triggers", "compute 100"}),
        "## Performance",
    ),
    Delete("no scaling", frozenset({"triggers"}), "## Scaling Triggers"),
    Delete("no scenarios", frozenset({"scenario", "scenario traffic-spike"}), "## Disaster"),
    Delete("no optimizations", frozenset(), "## Optimization"),
    Delete("no breaking points", frozenset(), "## Breaking Points"),
    Delete("no monitoring", frozenset({"triggers"}), "## Monitoring"),
    Delete("no change log", frozenset(), "## Change Log"),
)
EXTRA_TITLES = (
    "Bandwidth",
    "API Call Budget",
    "Cost Breakdown by Component",
    "Backup Strategy",
    "Launch Checklist",
    "Notes",
)
# What an extra section may say: words, figures and list marks, never a heading, a table
# or a fence (those would be other mutations).
LINE = st.text(
    alphabet=st.sampled_from(list("abcdefghij klmnop XYZ 0123456789 .,:;-+$%()→×")),
    max_size=60,
).map(lambda s: s.lstrip("#|` ").replace("```", ""))


def _split(text: str) -> list[str]:
    """The preamble, then each `## ` section with everything under it."""
    parts = text.split("\n## ")
    return [parts[0], *(f"## {p}" for p in parts[1:])]


@cache
def base_answers() -> dict[str, str]:
    plan = import_document(TEMPLATE).plan
    return {command: answer(command, plan) for command in COMMANDS}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, frozenset[str], list[str]]:
    sections = _split(TEMPLATE)
    changed: set[str] = set()
    names: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["reword", "delete", "reorder", "extra", "tier extra"]))
        if kind == "reword":
            mutation: Reword | Delete = draw(st.sampled_from(REWORDS))
            sections = mutation.apply(sections)
        elif kind == "delete":
            mutation = draw(st.sampled_from(DELETES))
            sections = mutation.apply(sections)
        elif kind == "reorder" and len(sections) > 3:
            # Any two sections after Current Scale and Growth change places.
            i, j = draw(st.lists(st.integers(3, len(sections) - 1), min_size=2, max_size=2))
            sections[i], sections[j] = sections[j], sections[i]
            names.append(f"swap {i} {j}")
            continue
        elif kind == "extra":
            title = draw(st.sampled_from(EXTRA_TITLES))
            body = draw(st.lists(LINE, min_size=1, max_size=5))
            where = draw(st.integers(1, len(sections)))
            sections.insert(where, "\n".join([f"## {title}", "", *body, "", "---", ""]))
            names.append(f"extra {title} at {where}")
            changed.add("plan sections")
            continue
        else:
            body = draw(st.lists(LINE, min_size=1, max_size=3))
            block = "\n".join(["", "**Characteristics**:", *(f"- {b}" for b in body), ""])
            marker = "\n**Bottlenecks**:"
            sections = [
                s.replace(marker, block + marker, 1)
                if s.startswith("## Growth") or s.startswith("## Projections")
                else s
                for s in sections
            ]
            # The block lands in the first tier with Bottlenecks: tier 1.
            names.append("tier extra")
            changed |= {"plan sections", "tier 1"}
            continue
        names.append(mutation.name)
        changed |= mutation.may_change
    text = "\n".join(s.rstrip("\n") + "\n" for s in sections)
    return text, frozenset(changed), names


@settings(max_examples=60, deadline=None)
@given(mutated())
def test_a_mutated_example_imports_and_changes_only_what_it_declares(
    case: tuple[str, frozenset[str], list[str]],
) -> None:
    text, may_change, names = case
    plan = import_document(text, "mutated.md").plan  # never a PlanError
    base = base_answers()
    for command in COMMANDS:
        if command in may_change:
            continue
        assert answer(command, plan) == base[command], (names, command)


def test_each_value_mutation_imports_and_changes_what_it_declares() -> None:
    base = base_answers()
    for reword in REWORDS:
        if not reword.may_change:
            continue
        assert reword.old in TEMPLATE, reword.name
        plan = import_document("".join(reword.apply(_split(TEMPLATE))), reword.name).plan
        changed = {c for c in COMMANDS if answer(c, plan) != base[c]}
        assert changed and changed <= reword.may_change, (reword.name, changed)


def test_each_deletion_changes_what_it_declares() -> None:
    # The declarations are not empty promises: a deletion does change its commands.
    base = base_answers()
    for deletion in DELETES:
        plan = import_document("".join(deletion.apply(_split(TEMPLATE))), deletion.name).plan
        for command in deletion.may_change - {"triggers"}:
            assert answer(command, plan) != base[command], (deletion.name, command)


def test_an_extra_section_and_a_tier_block_are_kept_and_shown() -> None:
    sections = _split(TEMPLATE)
    sections.insert(3, "## Bandwidth\n\nAbout 40GB a month.\n")
    text = "\n".join(sections).replace(
        "\n**Bottlenecks**:",
        "\n**Characteristics**:\n- Mostly weekday traffic\n\n**Bottlenecks**:",
        1,
    )
    plan = import_document(text).plan
    assert [s.title for s in plan.sections] == ["Characteristics", "Bandwidth"]
    assert "Bandwidth" in answer("plan sections", plan)
    assert "About 40GB a month." in answer("plan section bandwidth", plan)
    assert "Mostly weekday traffic" in answer("tier 1", plan)
    assert "Mostly weekday traffic" not in answer("tier 2", plan)


def test_a_subsection_no_reader_takes_is_kept_after_its_section() -> None:
    text = TEMPLATE.replace(
        "### Database Connections",
        "### Cache\n\nRedis holds 2GB of sessions.\n\n### Database Connections",
    )
    plan = import_document(text).plan
    (cache_section,) = plan.sections
    assert (cache_section.title, cache_section.after, cache_section.level) == (
        "Cache",
        "formulas",
        3,
    )
    assert plan.formulas == import_document(TEMPLATE).plan.formulas
    assert "Redis holds 2GB of sessions." in answer("plan section cache", plan)
