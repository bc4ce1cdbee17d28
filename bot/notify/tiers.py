"""The one message that says the built tier changed. Pure: no I/O, `now` passed in."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from bot.domain.costs import current_tier, tier_label
from bot.domain.plan import Plan
from bot.domain.tiers import budget_words, gap_text, next_trigger
from bot.domain.values import Moment, Person, Prose
from bot.notify.compose import OutboxItem, reply_payload
from bot.reply import Reply, Text

__all__ = ["built_notice", "demand_notice"]


def built_notice(
    plan: Plan,
    previous: int,
    users: float | None,
    by: str | None,
    channel: str,
    now: datetime,
    latest: dict[str, float | None] | None = None,
    recorded_at: datetime | None = None,
    zone: tzinfo = UTC,
) -> OutboxItem:
    """`plan.built_tier` is newly in force (it was `previous`): what that changes.

    Keyed by the record (or the plan file's change), not by the tick, so two processes
    on one database queue it once."""
    built = plan.built_tier
    demand = current_tier(plan, users)
    verb = "is built" if built > previous else "is the built tier again"
    who = Prose("Recorded by ", Person(by)) if by else "From the plan file"
    lines: list[str] = [
        Prose(who, ", ", Moment(now, zone), f" (was Tier {previous})."),
        gap_text(plan, demand, built, users) + ".",
        f"Budget now {budget_words(plan)}; triggers of Tier {built} and below"
        " are inactive and their alerts resolve.",
    ]
    watch = next_trigger(plan, demand, latest or {plan.users_metric: users})
    if watch is not None:
        lines.append(f"Next trigger to watch: Tier {watch.tier}, {watch.text}.")
    reply = Reply(
        title=f"{tier_label(plan, built)} {verb}", parts=(Text(Prose.joined("\n", lines)),)
    )
    payload = reply_payload("built", channel, reply, now)
    source = recorded_at.isoformat() if recorded_at else f"plan:{now:%Y-%m-%dT%H:%M}"
    return OutboxItem(f"built:{previous}->{built}:{source}", "built", payload, ())


def demand_notice(
    plan: Plan,
    users: float | None,
    channel: str,
    now: datetime,
    latest: dict[str, float | None] | None = None,
) -> OutboxItem:
    """Demand reached a tier that is already built: said once, nothing to plan (keyed by
    the tier and the built tier, so it is never queued twice)."""
    demand = current_tier(plan, users)
    lines = [gap_text(plan, demand, plan.built_tier, users) + "."]
    watch = next_trigger(plan, demand, latest or {plan.users_metric: users})
    if watch is not None:
        lines.append(f"Next trigger to watch: Tier {watch.tier}, {watch.text}.")
    reply = Reply(
        title=f"Trigger reached: {tier_label(plan, demand)}", parts=(Text("\n".join(lines)),)
    )
    payload = reply_payload("demand", channel, reply, now)
    return OutboxItem(f"demand:{demand}:built{plan.built_tier}", "demand", payload, ())
