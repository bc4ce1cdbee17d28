"""One story for a user count: the two tier ideas, named the same way on every surface.

- *Sized for*: the smallest tier whose capacity covers N users (`costs.tier_for_users`):
  what `cost N` prices.
- *Trigger reached*: the highest tier whose trigger on the users metric has fired
  (`costs.current_tier`): what `status`, `triggers`, Home, the digest and the alerts
  track. A tier's trigger fires before its predecessor is full (the template sets MAU >
  8,000 for Tier 2, while Tier 1 holds 10,000), so the two differ between a tier's
  capacity and the next trigger: 5,000 users are sized for Tier 2, and Tier 2's trigger
  (MAU > 8,000) is not reached yet.

Pure: the plan and a number in, words out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.costs import current_tier, tier_for_users, tier_label
from bot.domain.money import fmt_number
from bot.domain.plan import Plan
from bot.domain.rules import MetricRule
from bot.domain.tiers import users_rule

__all__ = [
    "REACHED",
    "SIZED",
    "UsersStory",
    "reached_headline",
    "reached_text",
    "sized_text",
    "sized_tier",
    "users_story",
]

# The two labels, spelled once.
SIZED = "Sized for"
REACHED = "Trigger reached"


def _rule(plan: Plan, rule: MetricRule) -> str:
    return f"{plan.growth_label} {rule.op} {fmt_number(round(rule.value))}"


@dataclass(frozen=True)
class UsersStory:
    users: float
    sized: int
    reached: int
    plan: Plan

    @property
    def line(self) -> str:
        """`5,000 users: sized for Tier 2; trigger reached: Tier 1 (Tier 2's trigger MAU >
        8,000 not reached yet)`."""
        counted = f"{fmt_number(round(self.users))} {self.plan.unit_plural}"
        head = f"{counted}: sized for Tier {self.sized}"
        return f"{head}; {REACHED.lower()}: {reached_text(self.plan, self.users)}"


def users_story(plan: Plan, users: float) -> UsersStory:
    sized = tier_for_users(plan, max(0, int(-(-users // 1))))
    return UsersStory(users, sized, current_tier(plan, users), plan)


def sized_tier(plan: Plan, users: float) -> int:
    return users_story(plan, users).sized


def reached_headline(plan: Plan, label: str, users: float | None, shown: str) -> str:
    """The digest's opening: `Trigger reached: Tier 1: 10x Growth, at 5,000 MAU; sized for
    Tier 2.` (`shown`: the users as the digest writes values)."""
    if users is None:
        return f"{REACHED}: {label}, assumed: no `{plan.users_metric}` data yet."
    sized = users_story(plan, users).sized
    return f"{REACHED}: {label}, at {shown} {plan.growth_noun}; {SIZED.lower()} Tier {sized}."


def _capacity(plan: Plan, number: int) -> int:
    return plan.baseline.users if number == 0 else plan.tier(number).users


def sized_text(plan: Plan, users: float) -> str:
    """`Tier 2: 100x Growth (the smallest whose capacity, 10,000 users, covers 5,000)`."""
    number = users_story(plan, users).sized
    capacity = _capacity(plan, number)
    shown, units = fmt_number(round(users)), plan.unit_plural
    if users > capacity:
        return (
            f"{tier_label(plan, number)} (the largest, {fmt_number(capacity)} {units}; "
            f"{shown} is beyond it)"
        )
    return (
        f"{tier_label(plan, number)} (the smallest whose capacity, {fmt_number(capacity)} "
        f"{units}, covers {shown})"
    )


def reached_text(plan: Plan, users: float | None) -> str:
    """`Tier 1: 10x Growth (MAU 5,000 > 800); Tier 2's trigger MAU > 8,000 not reached
    yet`: the highest tier whose users trigger fired, and the next one's that has not."""
    reached = current_tier(plan, users)
    label = tier_label(plan, reached)
    if users is None:
        return f"{label}, assumed: no `{plan.users_metric}` data yet"
    rule = users_rule(plan, reached)
    shown = fmt_number(round(users))
    why = ""
    if rule is not None:
        why = f" ({plan.growth_label} {shown} {rule.op} {fmt_number(round(rule.value))})"
    text = f"{label}{why}" if reached else f"none yet ({label} is the start)"
    following = users_rule(plan, reached + 1)
    if following is not None:
        text += f"; Tier {reached + 1}'s trigger {_rule(plan, following)} not reached yet"
    return text
