"""Load the plan again without a restart: `/capacity plan reload`, SIGHUP, a changed file.

A plan that fails check-plan is refused and the old one stays live. A good one is
applied at once (the next evaluation, answer, Home and digest all read the new plan),
alerts of rules it no longer has are resolved "removed by reload", and the diff goes to
the alerts channel (outbox) and into the change log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.deps import Deps
from bot.domain.changes import ChangeDraft, content_key
from bot.domain.plan import Plan
from bot.monitor.plan_diff import plan_diff, summary
from bot.monitor.rules_from_plan import rules_from_plan
from bot.notify.reload import diff_item, removed_items
from bot.planio.planfile import PlanError, file_stamp, load_plan
from store import Store

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = [
    "ReloadOutcome",
    "plan_source",
    "poll_plan_file",
    "reload_from_signal",
    "reload_plan",
    "seed_change_log",
    "start_plan_jobs",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    applied: bool
    version: int
    errors: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


def plan_source(deps: Deps) -> str:
    path = deps.settings.plan_path
    return str(path) if path else "the embedded default plan"


def seed_change_log(plan: Plan, store: Store, now: datetime) -> int:
    """The plan's own change-log table into the stored log, once: an entry already there
    (same content) is skipped, so restarts and reloads add nothing twice."""
    rows = []
    for entry in plan.change_log:
        try:
            day = datetime.fromisoformat(entry.date).date()
            draft = ChangeDraft(
                date=day, change=entry.change, reason=entry.reason or "-", impact=entry.impact
            )
        except ValueError:
            log.warning("plan change log: %s is not a usable entry; skipped", entry.date)
            continue
        rows.append((draft, "plan", None, content_key(draft, "plan")))
    if not rows:
        return 0
    added, _skipped = store.changes.add_many(rows, now)
    return added


def reload_plan(deps: Deps, *, by: str, now: datetime) -> ReloadOutcome:
    """Load CAPACITY_PLAN again; apply it when it passes check-plan."""
    try:
        new = load_plan(deps.settings.plan_path)
    except PlanError as exc:
        return ReloadOutcome(False, deps.plan_version, errors=exc.problems)
    deps.plan_stamp = file_stamp(deps.settings.plan_path)
    old = deps.plan
    changes = plan_diff(old, new)
    if new == old:
        return ReloadOutcome(True, deps.plan_version)
    version = deps.plan_version + 1
    old_rules = rules_from_plan(old)
    kept = {r.id for r in rules_from_plan(new)}
    store = deps.store
    channel = deps.settings.alerts_channel or ""
    states = store.alerts.states()
    closing = removed_items(old_rules, kept, states, old, channel, now)
    with store.transaction():
        if closing:
            closed = {item.payload.alerts[0].rule_id for item in closing}
            store.alerts.save_states({k: v for k, v in states.items() if k not in closed}, now)
        for item in closing:
            store.outbox.enqueue(item.dedup_key, item.kind, item.payload_json, now)
        announce = diff_item(changes, plan_source(deps), version, by, channel, now)
        store.outbox.enqueue(announce.dedup_key, announce.kind, announce.payload_json, now)
    # Switched in one assignment on the event loop's thread: a request sees old or new.
    deps.plan = new
    deps.plan_version = version
    deps.answers.clear()
    text = summary(changes)
    draft = ChangeDraft(
        date=now.astimezone(deps.settings.zone).date(),
        change=f"Plan reloaded (version {version})",
        reason=f"Reloaded by {by} from {plan_source(deps)}"[:3000],
        impact=text[:3000],
    )
    store.changes.add(draft, by, None, f"plan-reload:{version}:{now.isoformat()}", now)
    seed_change_log(new, store, now)
    log.info("plan reloaded (version %d) by %s: %s", version, by, text)
    return ReloadOutcome(True, version, changes=tuple(changes))


def poll_plan_file(deps: Deps, now: datetime) -> ReloadOutcome | None:
    """Reload when the plan file changed on disk; errors go to the log, the old plan stays."""
    stamp = file_stamp(deps.settings.plan_path)
    if stamp is None or stamp == deps.plan_stamp:
        return None
    outcome = reload_plan(deps, by="a change of the plan file", now=now)
    if not outcome.applied:
        # Not again until the file changes once more.
        deps.plan_stamp = stamp
        log.error(
            "plan file changed but was refused; the old plan stays live:\n  %s",
            "\n  ".join(outcome.errors),
        )
    return outcome


def reload_from_signal(deps: Deps) -> ReloadOutcome:
    """SIGHUP: reload; the person who sent it reads the log."""
    outcome = reload_plan(deps, by="SIGHUP", now=deps.clock())
    if not outcome.applied:
        log.error(
            "SIGHUP: the plan was refused; the old plan stays live:\n  %s",
            "\n  ".join(outcome.errors),
        )
    return outcome


def start_plan_jobs(deps: Deps, scheduler: AsyncIOScheduler, *, every: float = 5.0) -> None:
    """The plan's change log into the store (once), and the poll of the plan file."""
    seed_change_log(deps.plan, deps.store, deps.clock())
    if deps.settings.plan_path is None:
        return

    async def poll() -> None:
        try:
            poll_plan_file(deps, deps.clock())
        except Exception:
            log.exception("plan reload failed")

    scheduler.add_job(
        poll,
        "interval",
        seconds=every,
        id="plan.reload",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
