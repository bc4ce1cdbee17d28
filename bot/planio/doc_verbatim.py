"""Export a plan that came from a team's document as that document, word for word.

Every line the bot does not recompute comes back as the team wrote it and where it was;
a line holding a figure the plan changed (a component's cost, a tier's total, change and
percentage) keeps its words, with only the digits swapped. Last Updated shows the export's
date, the live "Measured now" block sits in the current-scale section (the importer skips
it there), and an appendix holds only what the document's own lines do not give back
(so importing the export gives the same plan).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.domain.checks import stated_differences
from bot.domain.costs import TierCost, tier_costs
from bot.domain.money import round_to
from bot.domain.plan import ChangeLogEntry, Plan
from bot.domain.span import Span, span
from bot.planio.doc_figures import Pairs, swap_figures
from bot.planio.doc_items import item_pairs
from bot.planio.doc_missing import missing_sections
from bot.planio.doc_recompute import money_pairs, span_pairs
from bot.planio.doc_write import Live, export_document
from bot.planio.doc_write_scale import cell
from bot.planio.errors import PlanError
from bot.planio.overlay import diff_overlay, plain

__all__ = [
    "BOT_APPENDIX",
    "document_source",
    "export_plan_document",
    "export_verbatim",
    "recomputed_lines",
]

BOT_APPENDIX = "## Appendix: for capacity-bot"
_HEADING = re.compile(r"^(#{1,6})\s")


def _percent(value: Span | None, rounding: str) -> Span | None:
    if value is None:
        return None
    return Span(round_to(value.low, 0, rounding), round_to(value.high, 0, rounding))


def _tier_pairs(was: TierCost, now: TierCost, starts: tuple[Span | None, Span | None]) -> Pairs:
    """In the order a total line gives them: from, total, change, percentage. A start the
    team stated apart from the tier before stays as stated (unless the computed figures
    win: then it becomes where the tier before ends)."""
    pairs = span_pairs(starts[0] or was.previous, starts[1] or now.previous)
    pairs += span_pairs(was.total_span, now.total_span)
    pairs += span_pairs(was.change_span, now.change_span)
    return pairs + span_pairs(
        _percent(was.percent_span, was.rounding), _percent(now.percent_span, now.rounding)
    )


def _start(plan: Plan, index: int) -> Span | None:
    """Where the team's total line for tier `index` says it starts, when the plan keeps
    that apart from where the tier before ends."""
    tier = plan.tiers[index]
    if tier.stated_from is None or plan.stated_figures == "computed":
        return None
    return span(tier.stated_from, tier.stated_from_high)


def _figure_pairs(was: Plan, now: Plan, lines: dict[str, int]) -> dict[int, Pairs]:
    """Source line (1-based) -> (figure the document gives, figure the plan gives)."""
    pairs: dict[int, Pairs] = {}
    if len(was.tiers) != len(now.tiers):
        return pairs
    for index, (old, new) in enumerate(zip(was.tiers, now.tiers, strict=True)):
        for step, (a, b) in enumerate(zip(old.changes, new.changes, strict=False)):
            line = lines.get(f"tiers[{index}].changes[{step}]")
            if line:
                pairs.setdefault(line, []).extend(span_pairs(a.cost_span, b.cost_span))
    for index, (a_cost, b_cost) in enumerate(
        zip(tier_costs(was)[1:], tier_costs(now)[1:], strict=True)
    ):
        line = lines.get(f"tiers[{index}].total")
        if line:
            starts = (_start(was, index), _start(now, index))
            pairs.setdefault(line, []).extend(_tier_pairs(a_cost, b_cost, starts))
    return pairs


def _level(line: str) -> int:
    """A heading's level (`## X` is 2); 0 for any other line."""
    found = _HEADING.match(line)
    return len(found.group(1)) if found else 0


def _bot_appendix(lines: list[str]) -> range:
    """The lines of an appendix an earlier export wrote (replaced by this one's)."""
    for start, line in enumerate(lines):
        if line.rstrip() == BOT_APPENDIX:
            later = (i for i in range(start + 1, len(lines)) if 0 < _level(lines[i]) <= 2)
            end = next(later, len(lines))
            while start > 0 and not lines[start - 1].strip():
                start -= 1
            return range(start, end)
    return range(0)


def _section_end(lines: list[str], heading: int) -> int:
    """The index of the last non-blank, non-rule line of the section headed at `heading`."""
    level = _level(lines[heading]) or 6
    later = (i for i in range(heading + 1, len(lines)) if 0 < _level(lines[i]) <= level)
    last = next(later, len(lines)) - 1
    while last > heading and lines[last].strip() in ("", "---"):
        last -= 1
    return last


def recomputed_lines(source: str, plan: Plan) -> dict[int, tuple[str, str]]:
    """Source line (1-based) -> (the team's line, the line export-plan writes for `plan`):
    its figures swapped, and where the plan's stated figures do not add up, check-plan's
    word on them beside the team's."""
    from bot.planio.document import import_document, read_body

    lines = source.splitlines()
    # The figures as the team wrote them, whichever the plan lets win: they are the ones
    # to find on the team's lines.
    was = import_document(source, as_written=True).plan.model_copy(
        update={"stated_figures": "kept"}
    )
    _data, reader, _appendix = read_body(source)
    out: dict[int, tuple[str, str]] = {}
    found = money_pairs(was, plan, lines)
    moved = item_pairs(was, plan, reader.lines, lines)  # cost lists, budget, price, counts
    for more in (_figure_pairs(was, plan, reader.lines), moved):
        for line, pairs in more.items():
            found[line] = [*found.get(line, []), *pairs]
    for line, pairs in sorted(found.items()):
        text = lines[line - 1]
        swapped = swap_figures(text, pairs)
        if swapped != text:
            out[line] = (text, swapped)
    for index, notes in _differences(plan).items():
        at = reader.lines.get(f"tiers[{index}].total")
        if at:
            text = lines[at - 1]
            out[at] = (text, _noted(out.get(at, (text, text))[1], notes))
    return out


def export_plan_document(plan: Plan, live: Live | None = None, source: str | None = None) -> str:
    """What `export-plan` writes: the team's own document `source` word for word with the
    plan's figures when the plan came from one, else the filled-in template."""
    if source is not None:
        try:
            return export_verbatim(plan, source, live)
        except PlanError:
            pass  # the file no longer reads (edited since it was loaded): the template's shape
    return export_document(plan, live)


def document_source(path: str | Path | None) -> str | None:
    """The team's document the plan was loaded from (None for a YAML plan or the default
    plan, or a file that cannot be read now)."""
    if not path or Path(path).suffix.lower() not in (".md", ".markdown"):
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _row(entry: ChangeLogEntry, columns: int) -> str:
    cells = [entry.date, cell(entry.change), cell(entry.reason), cell(entry.impact)]
    cells = (cells + [""] * columns)[: max(columns, 2)]
    return "| " + " | ".join(cells) + " |"


def _change_log(lines: list[str], rows: list[list[str]], new: list[ChangeLogEntry]) -> None:
    """Entries the document lacks (added in Slack), newest first, at the top of the team's
    own change-log table (the one holding dated rows); with no such table, the template's
    Change Log section at the end."""
    tables = [
        index
        for index, line in enumerate(lines)
        if re.match(r"^\|\s*date\s*\|\s*change\s*\|", line, re.IGNORECASE)
        and index + 1 < len(lines)
        and lines[index + 1].lstrip().startswith("|")
    ]
    dated = [
        t
        for t in tables
        if t + 2 < len(lines) and re.match(r"^\|\s*\d{4}-\d{2}-\d{2}\s*\|", lines[t + 2])
    ]
    if dated or tables:
        at = (dated or tables)[-1]
        columns = lines[at].strip().strip("|").count("|") + 1
        rows[at + 1].extend(_row(entry, columns) for entry in new)
        return
    rows[-1].extend(["", "---", "", "## Change Log", ""])
    rows[-1] += ["| Date | Change | Reason | Impact |", "|------|--------|--------|--------|"]
    rows[-1].extend(_row(entry, 4) for entry in new)


_NOTE = re.compile(r" \(capacity-bot: [^()]*\)$")


def _noted(text: str, notes: list[str]) -> str:
    """The team's line with the bot's word on its figures beside it (an earlier export's
    note replaced, never repeated); the team's figure stays as written."""
    text = _NOTE.sub("", text)
    return f"{text} (capacity-bot: {'; '.join(notes)})" if notes else text


def _differences(plan: Plan) -> dict[int, list[str]]:
    """Tier index -> where its stated figures do not add up, in check-plan's words."""
    out: dict[int, list[str]] = {}
    for line in stated_differences(plan):
        found = re.match(r"tiers\[(\d+)\]\.stated_\w+: (?:says .*? but )?(.*)$", line)
        if found:
            out.setdefault(int(found.group(1)), []).append(found.group(2))
    return out


def _updated(plan: Plan, live: Live) -> str:
    updated = max(plan.last_updated, live.today) if live.today else plan.last_updated
    changes = plan.change_log if live.changes is None else live.changes
    if changes:
        updated = max(updated, max(c.date for c in changes))
    return updated


def export_verbatim(plan: Plan, source: str, live: Live | None = None) -> str:
    """The team's document `source` with `plan`'s figures and the live block."""
    from bot.planio.document import as_read, read_body

    live = live or Live()
    lines = source.splitlines()
    rows: list[list[str]] = [[line] for line in lines]
    for index in _bot_appendix(lines):
        rows[index] = []
    for number, (_before, after) in recomputed_lines(source, plan).items():
        rows[number - 1] = [after]

    updated = _updated(plan, live)
    dated = False
    for index, line in enumerate(lines):
        found = re.match(r"^(\s*\*\*Last Updated\*\*:\s*)(.*?)\s*$", line)
        if found and updated and not dated:
            rows[index] = [found.group(1) + updated]
            dated = True
    read, reader, _appendix = read_body(source)
    stated = {(entry["date"], entry["change"]) for entry in read.get("change_log", [])}
    entries = plan.change_log if live.changes is None else live.changes
    new = [e for e in entries if (e.date, e.change) not in stated]
    if new and lines:
        _change_log(lines, rows, new)
    at = reader.lines.get("baseline")
    if live.samples and at:
        measured = ["", "**Measured now** (live, from the latest samples):"]
        measured += [f"- {name}: {value}" for name, value in live.samples]
        rows[_section_end(lines, at - 1)].extend(measured)
    body = "\n".join(line for row in rows for line in row).rstrip("\n") + "\n"
    data, _reader, _ = read_body(body)
    patch = diff_overlay(plan.model_dump(by_alias=True), as_read(data)) or {}
    added = missing_sections(plan, data, patch, lines)
    if added:
        body = body + "\n".join(added) + "\n"
        data, _reader, _ = read_body(body)
        patch = diff_overlay(plan.model_dump(by_alias=True), as_read(data)) or {}
    if live.changes is not None:
        patch.pop("change_log", None)  # the stored log is the live one
    if dated:
        patch.pop("last_updated", None)  # Last Updated says it; the appendix never disagrees
    notes = {"built_tier": live.built_tier} if live.built_tier is not None else {}
    if not patch and not notes:
        return body
    text = yaml.safe_dump(plain({**patch, **notes}), sort_keys=False, allow_unicode=True)
    return (
        body
        + f"\n{BOT_APPENDIX}\n\n"
        + "What the document's own lines do not say; `capacity-bot import-plan` reads it.\n\n"
        + "```yaml\n"
        + text
        + "```\n"
    )
