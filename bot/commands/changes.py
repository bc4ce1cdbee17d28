"""`log` and `changes`: the change log through the router. Commands return data; front ends
act on `Reply.effect` (open the modal, upload the export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.commands.args import extra_words, parse_position
from bot.commands.router import Command, CommandError, Context
from bot.commands.router import refusal as router_refusal
from bot.context import CommandStore
from bot.domain.changes import Change
from bot.domain.money import fmt_money
from bot.domain.numbers import NumberError, ascii_digits
from bot.reply import Action, Effect, Person, Prose, Reply, Table, Text, Typed

__all__ = [
    "COMMANDS",
    "MORE_ACTION",
    "ExportChanges",
    "OpenChangeModal",
    "PostConfirmation",
    "change_rows",
    "may_write",
    "page_request",
    "recent_changes_section",
    "refusal",
    "today",
]

PAGE = 10
MAX_PAGE = 100
MORE_ACTION = "changes_more"
LIST_COLUMNS = ("#", "Date", "Change", "Reason", "Impact", "Cost/mo", "Tier", "By")


@dataclass(frozen=True)
class OpenChangeModal(Effect):
    """Ask for a change: Slack opens the modal, the shell asks field by field."""

    prefill: str = ""
    change_id: int | None = None  # set when editing an entry
    change: Change | None = None  # the entry being edited, to fill the form in
    message_ts: str | None = None  # its confirmation, updated after the edit


@dataclass(frozen=True)
class ExportChanges(Effect):
    """Asks for the log as files. Only the request: the files are built after the answer
    (`prepare_export`), so a large log never delays it. Slack uploads both files, the shell
    prints the Markdown."""


@dataclass(frozen=True)
class PostConfirmation(Effect):
    """Show a stored entry's confirmation: replace the message `update` (channel, ts) when
    given; otherwise (or when that fails) post it to each of `targets` in turn until one
    takes it: the channel it was logged in, then a DM to the author."""

    change: Change
    verb: str
    cost: str = ""
    update: tuple[str, str] | None = None
    targets: tuple[str, ...] = ()


def _store(ctx: Context) -> CommandStore:
    if ctx.store is None:
        raise CommandError("The change log needs a database; run the bot with CAPACITY_DB.")
    return ctx.store


def today(ctx: Context) -> date:
    """Today where the team is (CAPACITY_TIMEZONE), not where the server is."""
    return ctx.now.astimezone(ctx.zone).date()


def may_write(ctx: Context) -> bool:
    return ctx.may_write


def refusal(action: str = "log changes") -> Reply:
    return router_refusal(action, "You can still read the log: `/capacity changes`.")


def log(args: list[str], ctx: Context) -> Reply:
    prefill = " ".join(args)
    filled = f" with “{prefill[:60]}” as the change" if prefill else ""
    return Reply(
        title="Log a change",
        parts=(Text(f"Opening the change-log form{filled}…"),),
        effect=OpenChangeModal(prefill=prefill),
    )


def fmt_cost(value: object) -> str:
    if not isinstance(value, Decimal):
        return ""
    return fmt_money(value, sign=True)


def change_rows(changes: list[Change]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(c.id),
            c.date.isoformat(),
            c.change,
            c.reason,
            c.impact,
            fmt_cost(c.cost_change),
            "" if c.tier is None else ("baseline" if c.tier == 0 else str(c.tier)),
            Prose(Person(c.recorded_by)),  # a mention in Slack
        )
        for c in changes
    )


def _table(changes: list[Change]) -> Table:
    return Table(
        columns=LIST_COLUMNS,
        rows=change_rows(changes),
        numeric=(True, False, False, False, False, True, False, False),
    )


def _page_size(word: str) -> int:
    count = parse_position(word, "changes 25")
    if count is None or not 1 <= count <= MAX_PAGE:
        raise CommandError(
            f"`{word[:20]}` is not a number of entries; show 1 to {MAX_PAGE}.", "changes 25"
        )
    return count


def _latest(ctx: Context, limit: int, offset: int) -> Reply:
    found = _store(ctx).changes.latest(limit + 1, offset)
    more = len(found) > limit
    shown = found[:limit]
    if not shown:
        text = (
            Prose("No changes logged yet. Log one with `", Typed("log"), "`.")
            if offset == 0
            else ""
        )
        return Reply(
            title="Change log", parts=(Text(text or "No more changes."),), meta={"count": "0"}
        )
    first, last = offset + 1, offset + len(shown)
    actions: tuple[Action, ...] = ()
    if more:
        actions = (Action(MORE_ACTION, "More", value=f"changes {limit} offset {offset + limit}"),)
    return Reply(
        title="Change log",
        parts=(Text(f"Entries {first}–{last}, newest first."), _table(shown)),
        actions=actions,
        meta={"count": str(len(shown)), "offset": str(offset)},
    )


def _since(ctx: Context, word: str, offset: int = 0) -> Reply:
    try:
        day = date.fromisoformat(ascii_digits(word))
    except NumberError as exc:
        raise CommandError(exc.message, "changes since 2025-09-01") from None
    except ValueError:
        raise CommandError(
            f"`{word[:30]}` is not a date; write it as YYYY-MM-DD.", "changes since 2025-09-01"
        ) from None
    store = _store(ctx).changes
    title = f"Changes since {day.isoformat()}"
    total = store.count_since(day)
    shown = store.since_newest(day, PAGE, offset) if total > offset else []
    if not shown:
        return Reply(title=title, parts=(Text("None." if offset == 0 else "No more changes."),))
    first, last = offset + 1, offset + len(shown)
    span = f"{len(shown)}" if offset == 0 else f"{first:,}–{last:,}"
    actions: tuple[Action, ...] = ()
    if last < total:
        value = f"changes since {day.isoformat()} offset {last}"
        actions = (Action(MORE_ACTION, "More", value=value),)
    return Reply(
        title=title,
        parts=(
            Text(f"Showing {span} of {total:,} since {day.isoformat()}, newest first."),
            _table(shown),
        ),
        actions=actions,
        meta={"count": str(len(shown)), "offset": str(offset), "total": str(total)},
    )


def _search(ctx: Context, words: list[str]) -> Reply:
    text = " ".join(words)
    found = _store(ctx).changes.search(text)
    title = f"Changes matching “{text[:60]}”"
    if not found:
        return Reply(title=title, parts=(Text("Nothing matches."),))
    return Reply(title=title, parts=(_table(found),))


def _export(ctx: Context) -> Reply:
    # Counting is an index lookup; the files are built after the answer (`prepare_export`).
    count = _store(ctx).changes.count()
    return Reply(
        title="Change log export",
        parts=(Text(f"{count:,} entries as Markdown (the template's table) and CSV."),),
        effect=ExportChanges(),
    )


def _delete(ctx: Context, words: list[str], restore: bool) -> Reply:
    verb = "restore" if restore else "delete"
    if not may_write(ctx):
        return refusal(f"{verb} changes")
    example = f"changes {verb} 3"
    if len(words) > 1:
        raise extra_words(f"changes {verb}", words[1:], "one entry number", example)
    found = parse_position(words[0], example) if words else None
    if found is None:
        raise CommandError(f"Say which entry to {verb} by its number.", example)
    change_id = found
    store = _store(ctx).changes
    by = ctx.user_id or "unknown"
    done = (
        store.restore(change_id, by, ctx.now)
        if restore
        else store.soft_delete(change_id, by, ctx.now)
    )
    if done is None:
        state = "deleted" if restore else "live"
        raise CommandError(f"There is no {state} entry #{change_id}.", "changes")
    return Reply(title=f"Change #{change_id} {verb}d", parts=(Text(done.change),))


def changes(args: list[str], ctx: Context) -> Reply:
    words = [w for w in args if w]
    head = words[0].lower() if words else ""
    if not words:
        return _latest(ctx, PAGE, 0)
    if head == "since":
        example = "changes since 2025-09-01"
        if len(words) == 4 and words[2].lower() == "offset":
            offset = parse_position(words[3], example)
            if offset is not None:
                return _since(ctx, words[1], offset)
        if len(words) > 2:
            raise extra_words("changes since", words[2:], "one date", example)
        if len(words) != 2:
            raise CommandError("`changes since` takes one date.", example)
        return _since(ctx, words[1])
    if head == "search":
        if len(words) < 2:
            raise CommandError("Say what to search for.", "changes search pgbouncer")
        return _search(ctx, words[1:])
    if head == "export":
        if len(words) > 1:
            raise extra_words("changes export", words[1:], "nothing after it", "changes export")
        return _export(ctx)
    if head in ("delete", "restore"):
        return _delete(ctx, words[1:], restore=head == "restore")
    limit, rest = PAGE, words
    if parse_position(head, "changes 25") is not None:
        limit, rest = _page_size(head), words[1:]
    if len(rest) == 2 and rest[0].lower() == "offset":
        offset = parse_position(rest[1], "changes 25")
        if offset is not None:
            return _latest(ctx, limit, offset)
    if not rest:
        return _latest(ctx, limit, 0)
    raise CommandError(
        f"I don't understand `changes {' '.join(words)[:40]}`. Use a count, `since DATE`, "
        "`search TEXT` or `export`.",
        "changes since 2025-09-01",
    )


def page_request(text: str) -> bool:
    """Whether a More button's value asks only for a page of the log (never a delete,
    restore or export, whatever a forged value says)."""
    words = text.lower().split()
    if not words or words[0] != "changes":
        return False
    return len(words) == 1 or words[1] not in ("delete", "restore", "export")


def recent_changes_section(store: CommandStore, limit: int = 5) -> Table | Text:
    """The Home tab's "Recent changes": the five latest entries, as a Reply part."""
    found = store.changes.latest(limit)
    if not found:
        return Text(Prose("No changes logged yet. Log one with `", Typed("log"), "`."))
    return Table(
        title="Recent changes",
        columns=("Date", "Change", "Cost/mo"),
        rows=tuple((c.date.isoformat(), c.change, fmt_cost(c.cost_change)) for c in found),
        numeric=(False, False, True),
    )


COMMANDS = [
    Command(
        "log",
        "log [TEXT]",
        "log Added 2nd API container",
        "Record a change (opens a form)",
        log,
        who="planners",
        writes=True,
        terminal_summary="Record a change (asks for each field)",
    ),
    Command(
        "changes",
        "changes [N | since DATE | search TEXT | export]",
        "changes search pgbouncer",
        "The change log: latest entries, since a date, search, export",
        changes,
        writes=True,
    ),
]
