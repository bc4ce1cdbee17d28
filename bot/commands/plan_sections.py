"""`/capacity plan sections` and `plan section NAME`: the parts of the team's document the
plan has no place for (Bandwidth, a checklist, a code block), shown as the team wrote them.
Short ones fit a message; a long one is sent as a file (Slack's blocks hold ~3,000
characters each), and the terminal prints it whole."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.router import CommandError
from bot.domain.plan import DocSection, Plan
from bot.reply import Code, Effect, Prose, Reply, Table, Text, Typed

__all__ = ["SHORT_CHARS", "SectionFile", "find_section", "section_reply", "sections_reply"]

# Longer than this, a section goes as a file: it would not fit one message's blocks whole.
SHORT_CHARS = 2800
SHORT_LINES = 40


@dataclass(frozen=True)
class SectionFile(Effect):
    """Asks the front end to send one kept section whole: uploaded in Slack, printed by
    the shell."""

    filename: str
    content: str


def _where(section: DocSection) -> str:
    if section.tier is not None:
        return f"Tier {section.tier}"
    return {
        "start": "top",
        "baseline": "after Current Scale",
        "tiers": "after the tiers",
        "formulas": "after Resource Estimates",
        "cost_model": "after Cost Model",
        "targets": "after Performance Targets",
        "scaling": "after Scaling Triggers",
        "ops": "after the runbooks",
        "monitoring": "after Monitoring",
    }.get(section.after, "end")


def _size(section: DocSection) -> str:
    lines = section.text.count("\n") + 1 if section.text else 0
    return f"{lines} line{'s' if lines != 1 else ''}"


def sections_reply(plan: Plan) -> Reply:
    if not plan.sections:
        return Reply(
            title=plan.titled("The document's own sections"),
            parts=(
                Text(
                    "The plan keeps no sections of its own: everything in its document is "
                    "read into the plan."
                ),
            ),
        )
    rows = tuple(
        (str(n), s.title, _where(s), _size(s)) for n, s in enumerate(plan.sections, start=1)
    )
    first = plan.sections[0].title
    return Reply(
        title=plan.titled("The document's own sections"),
        parts=(
            Text(
                f"{len(plan.sections)} part(s) of the document the plan has no place for, "
                "kept as written:"
            ),
            Table(columns=("#", "Section", "Where", "Size"), rows=rows),
        ),
        notes=(Prose("`", Typed(f"plan section {_word(first)}"), "` shows one."),),
    )


def _word(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return " ".join(words[:2]).lower() or "1"


def find_section(plan: Plan, wanted: str) -> DocSection | None:
    """By number (`2`), whole title, or a part of it (`bandwidth`), ignoring case."""
    text = " ".join(wanted.lower().split())
    if text.isdigit() and 1 <= int(text) <= len(plan.sections):
        return plan.sections[int(text) - 1]
    sections = plan.sections
    tier = re.match(r"tier (\d+) ", text)
    if tier:
        # `tier 2 revenue targets`: the one under that tier.
        sections = tuple(s for s in sections if s.tier == int(tier.group(1)))
        text = text[tier.end() :]
    for section in sections:
        if section.title.lower() == text:
            return section
    return next((s for s in sections if text and text in s.title.lower()), None)


def _filename(title: str) -> str:
    stem = "-".join(re.findall(r"[a-z0-9]+", title.lower())[:6]) or "section"
    return f"{stem}.md"


def section_reply(plan: Plan, wanted: str) -> Reply:
    if not plan.sections:
        raise CommandError("The plan keeps no sections of its own.", "plan sections")
    found = find_section(plan, wanted)
    if found is None:
        names = ", ".join(f"`{s.title}`" for s in plan.sections[:8])
        raise CommandError(
            f"No section matches `{wanted[:40]}`; the document's own sections are {names}.",
            f"plan section {_word(plan.sections[0].title)}",
        )
    lines = _lines(found)
    title = f"{found.title} ({_where(found)})"
    if len(found.text) <= SHORT_CHARS and len(lines) <= SHORT_LINES:
        return Reply(title=title, parts=(Code(lines or ("(empty)",)),))
    return Reply(
        title=title,
        parts=(
            Text(f"{_size(found)}: too long for a message, so it comes as a file."),
            Code(lines[:10], title="It begins"),
        ),
        effect=SectionFile(_filename(found.title), _document(found)),
    )


def _document(section: DocSection) -> str:
    heading = f"{'#' * section.level} {section.title}\n\n" if section.level else ""
    return f"{heading}{section.text}\n"


def _lines(section: DocSection) -> tuple[str, ...]:
    """The section's lines; a labelled block without its `**Label**:` line (the title
    says it), unless that line carries text of its own."""
    lines = tuple(section.text.splitlines())
    if section.level == 0 and lines and lines[0].rstrip().endswith(":"):
        return lines[1:]
    return lines


def tier_sections(plan: Plan, number: int) -> list[Code]:
    """The kept sections that sit under tier `number`, for `tier N`."""
    return [Code(_lines(s)[:SHORT_LINES], title=s.title) for s in plan.sections if s.tier == number]
