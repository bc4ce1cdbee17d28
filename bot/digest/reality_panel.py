"""The plan against reality as reply parts: the assumptions off, and what fails first.

Pure. Shared by the digest, Home, `status` and `/capacity reality`, so each says it in the
same words.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.reality import Reality
from bot.domain.values import Moment, Prose, Typed, fmt_value
from bot.monitor.fails_first import FailsFirst, weeks_text
from bot.reply import Part, Section, Text

__all__ = ["assumptions_brief", "fails_first_part", "reality_parts"]


def assumptions_brief(reality: Reality) -> Part:
    """The assumptions off by more than the tolerance, each with what it changes; or one
    line saying all are within it, or that there is not enough data yet."""
    tolerance = reality.tolerance
    measured = [r for r in reality.rows if r.value is not None]
    if not measured:
        return Text(
            Prose("Not enough measurements yet: `", Typed("reality"), "` says what each row needs.")
        )
    off = reality.off()
    if not off:
        return Text(
            f"All {len(measured)} measured assumptions of the plan are within"
            f" ±{tolerance:g}% of the measured values."
        )
    return Section(
        f"Plan assumptions off by more than ±{tolerance:g}%",
        tuple(r.sentence() for r in off),
    )


def reality_parts(reality: Reality | None, fails: FailsFirst | None, zone: tzinfo) -> list[Part]:
    """The digest's section: what fails first, then the assumptions off (when gathered)."""
    found: list[Part] = []
    part = fails_first_part(fails, zone) if fails is not None else None
    if part is not None:
        found.append(part)
    if reality is not None:
        found.append(assumptions_brief(reality))
    return found


def fails_first_part(fails: FailsFirst, zone: tzinfo, *, limit: int = 5) -> Section | None:
    """`plan: API containers (CPU) first; measured: Database connections first, in about 5
    weeks`, then each limit in the order its trend reaches it, with the date; None while
    no limit's metric has reported."""
    seen = [b for b in fails.order if b.peak_now is not None]
    if not seen:
        return None
    items: list[str] = [fails.headline()]
    for b in seen[:limit]:
        peak = "no data" if b.peak_now is None else fmt_value(round(b.peak_now, 1), b.limit.unit)
        head = f"{b.limit.name} (`{b.limit.source}`, today's peak {peak}): "
        if b.reached:
            items.append(f"{head}already past it")
        elif b.at is None:
            items.append(f"{head}not approaching on the trend")
        else:
            items.append(Prose(head, weeks_text(b.at, fails.now), ", ", Moment(b.at, zone, "day")))
    return Section("What fails first", tuple(items))
