"""`/capacity spend [MONTH]`: what the bills say against the built tier's plan, per component."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.commands.args import extra_words
from bot.commands.router import Command, CommandError, Context
from bot.commands.tiers import answering_store, live_plan
from bot.costs.gather import gather_spend
from bot.digest.spend_view import MONTHS, month_label, spend_parts
from bot.domain.money import fmt_money
from bot.domain.plan import Plan
from bot.domain.spend import Spend
from bot.reply import Reply, Text

__all__ = ["COMMANDS", "gather_spend", "spend_reply"]

_MONTHS = MONTHS
_EXAMPLE = "spend 2026-11"


def _month(text: str, now: datetime) -> datetime:
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if found and 1 <= int(found[2]) <= 12:
        return datetime(int(found[1]), int(found[2]), 1, tzinfo=UTC)
    name = text.casefold()
    matches = [i for i, m in enumerate(_MONTHS, start=1) if len(name) >= 3 and m.startswith(name)]
    if len(matches) == 1:
        year = now.year if matches[0] <= now.month else now.year - 1
        return datetime(year, matches[0], 1, tzinfo=UTC)
    raise CommandError(
        f"`{text[:20]}` is not a month: write it as 2026-11 or november.",
        example=_EXAMPLE,
    )


def spend_reply(result: Spend, users: float | None, plan: Plan) -> Reply:
    title = plan.titled(f"Spend, {month_label(result.month)}: built Tier {result.tier}")
    if not result.covered and not result.movers:
        return Reply(
            title=title,
            parts=(
                Text(
                    f"No bill covers {month_label(result.month)} yet. Import one:"
                    " `capacity-bot import-costs FILE` (a FOCUS export or a"
                    " date,vendor,amount CSV) or `POST /api/costs`."
                ),
            ),
        )
    notes: list[str] = []
    if result.covered_until is not None:
        notes.append(
            f"Bills reach {result.covered_until:%Y-%m-%d %H:%M} UTC; the forecast adds the"
            " last week's daily run rate to the month's end (monthly charges are counted once)."
        )
    if result.opencost:
        notes.append(
            f"{fmt_money(result.opencost)} of the month so far is OpenCost's allocation, for"
            " days no bill covers yet; where a bill covers a day, the bill counts and"
            " OpenCost's figure for that day is left out."
        )
    return Reply(title=title, parts=tuple(spend_parts(result, users, plan)), notes=tuple(notes))


def _spend(args: list[str], ctx: Context) -> Reply:
    if len(args) > 1:
        raise extra_words("spend", args[1:], "at most a month", _EXAMPLE)
    month = _month(args[0], ctx.now) if args else None
    plan = live_plan(ctx)
    store = answering_store(ctx)
    if store is None:
        return Reply(title="Spend", parts=(Text("No database here: bills are not available."),))
    result = gather_spend(store.costs, plan, ctx.now, month)
    latest = store.metrics.latest(plan.users_metric)
    return spend_reply(result, latest.value if latest else None, plan)


COMMANDS = [
    Command(
        "spend",
        "spend [MONTH]",
        "spend",
        "Actual cost per component against the built tier's plan, month-end forecast,"
        " cost per user",
        _spend,
        reads=frozenset({"store", "clock"}),
        in_units=True,
    ),
]
