"""Load the plan again without a restart: what `/capacity plan reload`, SIGHUP and a changed
plan file all do.

A plan that fails check-plan is refused and the old one stays live. A good one is
applied at once (the next evaluation, answer, Home and digest all read the new plan),
alerts of rules it no longer has are resolved "removed by reload", and the diff goes to
the alerts channel (outbox) and into the change log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from bot.commands.plan_doc import reload_reply, source_name
from bot.core.offload import in_thread
from bot.deps import Deps
from bot.domain.changes import ChangeDraft, content_key
from bot.domain.plan import Plan
from bot.domain.values import TERMINAL, Person, shown
from bot.monitor.plan_diff import plan_diff, summary
from bot.monitor.routes import routes_for
from bot.monitor.rules_from_plan import rules_from_plan
from bot.notify.reload import diff_item, removed_items
from bot.planio.planfile import PlanError, file_stamp, load_plan
from bot.reply import Reply
from store import Store

__all__ = [
    "ReloadOutcome",
    "apply_plan",
    "carry_out_reload",
    "carry_out_reload_off_loop",
    "plan_source",
    "reload_plan",
    "reload_plan_off_loop",
    "seed_change_log",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    applied: bool
    version: int
    errors: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


def plan_source(deps: Deps) -> str:
    return source_name(str(deps.settings.plan_path or ""))


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


def reload_plan(
    deps: Deps, *, by: str | Person, now: datetime, record: bool = True
) -> ReloadOutcome:
    """Load CAPACITY_PLAN again; apply it when it passes check-plan (all on this thread:
    the shell, tests). The bot's own reloads use `reload_plan_off_loop`.

    `record=False` (a shell's own copy of the plan) only swaps the plan: the running bot
    records its reload itself, so the shared store gets the diff, the closed alerts and the
    change-log entry once.
    """
    stamp = file_stamp(deps.settings.plan_path)
    return apply_plan(deps, _read(deps), stamp, by=by, now=now, record=record)


async def reload_plan_off_loop(
    deps: Deps, *, by: str | Person, now: datetime, record: bool = True
) -> ReloadOutcome:
    """`reload_plan` for the event loop: reading, parsing and checking the file (tens of
    ms for a large document) and recording the reload (store writes, which may wait on
    another process's write lock) run on worker threads; only the swap runs here, on the
    loop, so a request sees the old plan or the new one. One at a time per Deps: SIGHUP,
    the file poll and `/capacity plan reload` may coincide, and a slower read of an older
    file must not land after a newer one."""
    async with deps.reload_lock:
        stamp = file_stamp(deps.settings.plan_path)
        read = await in_thread(_read, deps)
        change = _change(deps, read, stamp)
        if isinstance(change, ReloadOutcome):
            return change
        if record:
            await in_thread(_record, deps, change, by, now)
        return _swap(deps, change, stamp, by)


def _read(deps: Deps) -> Plan | PlanError:
    # No store and no Deps state touched here: safe on any thread.
    try:
        return load_plan(deps.settings.plan_path)
    except PlanError as exc:
        return exc


def apply_plan(
    deps: Deps,
    new: Plan | PlanError,
    stamp: tuple[int, int] | None,
    *,
    by: str | Person,
    now: datetime,
    record: bool = True,
) -> ReloadOutcome:
    """Swap in `new` (read from the file as it was at `stamp`), record it, tell the
    `deps.after_reload` listeners; or refuse it, the old plan staying live."""
    change = _change(deps, new, stamp)
    if isinstance(change, ReloadOutcome):
        return change
    if record:
        _record(deps, change, by, now)
    return _swap(deps, change, stamp, by)


@dataclass(frozen=True)
class _Change:
    """A plan to apply: the live one it replaces, what differs, the version it becomes."""

    old: Plan
    new: Plan
    changes: list[str]
    version: int


def _change(
    deps: Deps, new: Plan | PlanError, stamp: tuple[int, int] | None
) -> _Change | ReloadOutcome:
    """What applying `new` would change, or the outcome when there is nothing to apply
    (refused, or the same plan)."""
    if isinstance(new, PlanError):
        return ReloadOutcome(False, deps.plan_version, errors=new.problems)
    if new == deps.plan:
        deps.plan_stamp = stamp
        return ReloadOutcome(True, deps.plan_version)
    return _Change(deps.plan, new, plan_diff(deps.plan, new), deps.plan_version + 1)


def _swap(
    deps: Deps, change: _Change, stamp: tuple[int, int] | None, by: str | Person
) -> ReloadOutcome:
    # Switched in one assignment on the event loop's thread: a request sees old or new.
    version, changes = change.version, change.changes
    deps.plan_stamp = stamp
    deps.plan = change.new  # answer caches see another plan and start afresh
    deps.plan_version = version
    log.info("plan reloaded (version %d) by %s: %s", version, shown(by), summary(changes))
    for listener in list(deps.after_reload):
        try:
            listener()  # e.g. Home republished in the background; never fails the reload
        except Exception:
            log.exception("after-reload listener failed")
    return ReloadOutcome(True, version, changes=tuple(changes))


def _record(deps: Deps, change: _Change, by: str | Person, now: datetime) -> None:
    """One transaction: alerts of dropped rules closed, the diff queued for the alerts
    channel, the reload and the new plan's own change log in the stored log. Blocking (it
    may wait on another process's write lock): the bot runs it on a worker thread."""
    old, new, changes, version = change.old, change.new, change.changes, change.version
    kept = {r.id for r in rules_from_plan(new)}
    store = deps.store
    states = store.alerts.states()
    routes = routes_for(old, deps.settings)
    closing = removed_items(
        rules_from_plan(old), kept, states, old, routes, now, deps.settings.zone
    )
    channel = deps.settings.alerts_channel or ""
    announce = diff_item(changes, plan_source(deps), version, by, channel, now, deps.settings.zone)
    draft = ChangeDraft(
        date=now.astimezone(deps.settings.zone).date(),
        change=f"Plan reloaded (version {version})",
        reason=f"Reloaded by {shown(by)} from {plan_source(deps)}"[:3000],
        impact=summary(changes)[:3000],
    )
    with store.transaction():
        if closing:
            closed = {item.payload.alerts[0].rule_id for item in closing}
            store.alerts.save_states({k: v for k, v in states.items() if k not in closed}, now)
        for item in closing:
            store.outbox.enqueue(
                item.dedup_key, item.kind, item.payload_json, now, route=item.route
            )
        store.outbox.enqueue(announce.dedup_key, announce.kind, announce.payload_json, now)
        who = by.id if isinstance(by, Person) else by
        store.changes.add(draft, who, None, f"plan-reload:{version}:{now.isoformat()}", now)
        seed_change_log(new, store, now)


def carry_out_reload(deps: Deps, user_id: str | None, *, record: bool = True) -> Reply:
    """`/capacity plan reload` at the prompt (a shell's own plan, `record=False`)."""
    outcome = reload_plan(deps, by=_who(user_id), now=deps.clock(), record=record)
    return _reply(outcome, record)


async def carry_out_reload_off_loop(deps: Deps, user_id: str | None) -> Reply:
    """`/capacity plan reload` in Slack, after the ack."""
    outcome = await reload_plan_off_loop(deps, by=_who(user_id), now=deps.clock())
    return _reply(outcome, True)


def _who(user_id: str | None) -> Person:
    return Person(user_id or TERMINAL)


def _reply(outcome: ReloadOutcome, record: bool) -> Reply:
    reply = reload_reply(outcome.applied, outcome.version, outcome.errors, outcome.changes)
    if record or not outcome.applied:
        return reply
    note = "This reloaded the shell's plan; a running bot reloads by itself when the file changes."
    return replace(reply, notes=(note,))
