"""One router for every front end: `/capacity` text in, a Reply out."""

from __future__ import annotations

import difflib
import logging
import re
import shlex
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from bot.context import Context
from bot.domain.money import in_currency
from bot.domain.numbers import separate_words
from bot.domain.plan import Plan
from bot.reply import Prose, Reply, Table, Text, Typed
from store.db import is_locked

__all__ = [
    "EVERYTHING",
    "PLAN_ONLY",
    "Command",
    "CommandError",
    "Context",
    "Reads",
    "Request",
    "Router",
    "apology_reply",
    "busy_reply",
    "error_reply",
    "refusal",
]

MAX_TEXT = 4000

log = logging.getLogger(__name__)


class CommandError(Exception):
    """Bad input: what was wrong, and an example that works."""

    def __init__(self, message: str, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


Handler = Callable[[list[str], Context], Reply]


# What an answer may depend on besides the plan and the text: each names a field of Context.
Reads = Literal["clock", "asker", "settings", "store"]
EVERYTHING: frozenset[Reads] = frozenset({"clock", "asker", "settings", "store"})
PLAN_ONLY: frozenset[Reads] = frozenset()


@dataclass(frozen=True)
class Command:
    """A command and what it declares about itself. The router holds it to that: a command
    that does not declare `store` gets a context without one, so a declaration cannot
    silently be wrong, and the answer cache (bot/slack/answers.py) keeps exactly the answers
    of commands that read nothing beyond the plan."""

    name: str
    usage: str  # `tier N`
    example: str  # `tier 2`
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # Until a command says otherwise it may read everything, and is never cached.
    reads: frozenset[Reads] = EVERYTHING
    # Running it changes something (records a sample, mutes a rule): never offer to
    # "share" it, which would run it again.
    writes: bool = False
    # Who may run it: "planners" are CAPACITY_PLANNERS (everyone when that is unset).
    who: Literal["anyone", "planners"] = "anyone"
    # The summary in a terminal's help, where Slack's words (a form) do not fit.
    terminal_summary: str | None = None
    # Its usage and summary count what the plan grows in: help writes them in the plan's
    # unit (`cost [ORDERS]`, "Cost per order per tier, or for an order count").
    in_units: bool = False

    @property
    def plan_only(self) -> bool:
        """The answer depends only on the plan and the text, so a front end may keep it."""
        return not self.reads

    def narrow(self, ctx: Context) -> Context:
        """`ctx` without what this command did not declare."""
        if self.reads == EVERYTHING:
            return ctx
        return replace(
            ctx,
            store=ctx.store if "store" in self.reads else None,
            settings=ctx.settings if "settings" in self.reads else None,
            user_id=ctx.user_id if "asker" in self.reads else None,
            channel_id=ctx.channel_id if "asker" in self.reads else None,
        )


@dataclass(frozen=True)
class Request:
    """A request's text split into words once (`Router.parse`), and the command they name:
    everything a front end asks about a request (what it runs, whether its answer may be
    kept or shared, its metric label) is read from here, not from the text again."""

    text: str
    words: tuple[str, ...] = ()
    command: Command | None = None
    # Text the router refuses to read (too long): answered with this.
    error: CommandError | None = None

    @property
    def label(self) -> str:
        """The command's name (aliases folded) or `unknown`: a bounded set of values."""
        return self.command.name if self.command is not None else "unknown"

    @property
    def plan_only(self) -> bool:
        """The answer depends only on the plan and the text, so a front end may keep it."""
        return self.error is None and self.command is not None and self.command.plan_only

    @property
    def shareable(self) -> bool:
        """Showing the answer to the channel is safe to do by running it again."""
        return self.error is None and self.command is not None and not self.command.writes


def apology_reply(reference: str) -> Reply:
    """What a person sees when something broke on our side: short, with a reference.
    `meta["fault"]` tells a front end it was our fault, not the input (`ask` exits 1)."""
    return Reply(
        title="Sorry, something went wrong",
        parts=(
            Text(
                "capacity-bot hit a problem answering that. Please try again in a moment; "
                f"if it keeps happening, tell whoever runs the bot the reference **{reference}**."
            ),
        ),
        notes=(f"Reference: {reference}",),
        error=True,
        meta={"fault": reference},
    )


def refusal(action: str, also: str = "") -> Reply:
    """For someone who is not a planner: what they may not do, and how to become one."""
    text = (
        f"Only the capacity planners may {action}. Ask one of them, or ask an admin to "
        "add you to CAPACITY_PLANNERS."
    )
    return Reply(
        title="Only planners can do that",
        parts=(Text(f"{text} {also}" if also else text),),
        error=True,
    )


def busy_reply() -> Reply:
    """Another process held the database's write lock past the wait (an import, a backup,
    a second bot): nothing was written, and trying again later is the fix."""
    return Reply(
        title="The database is busy",
        parts=(
            Text(
                "Another process is writing to the bot's database right now (an import or a "
                "backup, say), so nothing was recorded. Please try again in a minute."
            ),
        ),
        error=True,
    )


def error_reply(message: str, example: str | None = None) -> Reply:
    notes = (Prose("Try: `", Typed(example), "`"),) if example else ()
    return Reply(title="That didn't work", parts=(Text(message),), notes=notes, error=True)


class Router:
    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        self._names: dict[str, str] = {}
        for command in commands:
            self.register(command)

    def register(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self._names:
                raise ValueError(f"command name {name!r} registered twice")
            self._names[name] = command.name
        self._commands[command.name] = command

    @property
    def commands(self) -> list[Command]:
        return list(self._commands.values())

    def find(self, word: str) -> Command | None:
        name = self._names.get(word.lower())
        return self._commands[name] if name else None

    def parse(self, text: str) -> Request:
        """Split `text` into words, once, and find the command they name (help for none)."""
        try:
            words = split_words(text)
        except CommandError as exc:
            # Refused unread; the first word still labels it (only on this rare path).
            first = text.split(None, 2)
            if first and first[0].lower() == "/capacity":
                first = first[1:]
            return Request(text, command=self.find(first[0]) if first else None, error=exc)
        command = self.find(words[0]) if words else self.find("help")
        return Request(text, tuple(words), command)

    def command_for(self, request: str | Request) -> Command | None:
        """The command `text` would run (help for empty text); None when there is none."""
        request = self.parse(request) if isinstance(request, str) else request
        return request.command if request.error is None else None

    def plan_only(self, request: str | Request) -> bool:
        """Whether `text` names a command whose answer depends only on the plan."""
        return (self.parse(request) if isinstance(request, str) else request).plan_only

    def shareable(self, request: str | Request) -> bool:
        """Whether showing `text`'s answer to the channel is safe to do by running it again."""
        return (self.parse(request) if isinstance(request, str) else request).shareable

    def dispatch(self, request: str | Request, ctx: Context) -> Reply:
        """Answer the request; bad input becomes an error Reply, never an exception."""
        request = self.parse(request) if isinstance(request, str) else request
        try:
            if request.error is not None:
                raise request.error
            if not request.words:
                return self.help(plan=ctx.plan)
            command = request.command
            if command is None:
                return self._unknown(request.words[0])
            if command.who == "planners" and not ctx.may_write:
                return refusal(f"use `/capacity {command.name}`")
            # Every amount in the answer is in the plan's currency.
            with in_currency(ctx.plan.currency):
                return command.handler(list(request.words[1:]), command.narrow(ctx))
        except CommandError as exc:
            return error_reply(exc.message, exc.example)
        except Exception as exc:
            if is_locked(exc):
                log.warning("command waited too long for the database lock: %r", request.text[:200])
                return busy_reply()
            # A bug of ours must not reach the person as a traceback, in Slack or the shell.
            reference = uuid.uuid4().hex[:8]
            log.exception("command failed (ref %s): %r", reference, request.text[:200])
            return apology_reply(reference)

    def _unknown(self, word: str) -> Reply:
        shown = word if len(word) <= 40 else word[:40] + "…"
        close = difflib.get_close_matches(word.lower(), list(self._names), n=1, cutoff=0.6)
        if close:
            command = self._commands[self._names[close[0]]]
            return error_reply(
                f"I don't know `{shown}`. Did you mean `{command.name}`? {command.summary}.",
                command.example,
            )
        return error_reply(
            Prose(f"I don't know `{shown}`. `", Typed("help"), "` lists every command."), "help"
        )

    def help(self, *, terminal: bool = False, plan: Plan | None = None) -> Reply:
        """Every command with an example; `terminal` in the shell's words (no Slack forms
        or sharing, and its own `clear` and `quit`); counts in `plan`'s unit."""

        def words(command: Command, text: str) -> str:
            return in_units(text, plan) if command.in_units and plan is not None else text

        rows = tuple(
            (
                Typed(words(c, c.usage)),
                words(c, (c.terminal_summary or c.summary) if terminal else c.summary),
                Typed(c.example),
            )
            for c in self._commands.values()
        )
        note = (
            "Type `clear` to clear the screen, `quit` to leave."
            if terminal
            else "Answers are only visible to you until you share them."
        )
        return Reply(
            title="capacity-bot: your capacity plan, answered",
            parts=(
                Text("Ask about the plan with one of these commands:"),
                Table(columns=("Command", "What it answers", "Example"), rows=rows),
            ),
            notes=(note,),
        )

    def is_help(self, text: str) -> bool:
        words = split_words(text)
        return not words or (self.find(words[0]) is self._commands.get("help") and len(words) == 1)


def in_units(text: str, plan: Plan) -> str:
    """`cost [USERS]` -> `cost [ORDERS]`; "a user count" -> "an order count"."""
    unit, units = plan.growth_unit, plan.unit_plural
    if unit == "user":
        return text
    article = "an" if unit[:1].lower() in "aeiou" else "a"
    text = re.sub(r"\bUSERS\b", units.upper(), text)
    text = re.sub(r"\ba user\b", f"{article} {unit}", text)
    text = re.sub(r"\busers\b", units, text)
    return re.sub(r"\buser\b", unit, text)


def split_words(text: str) -> list[str]:
    # Any Unicode space separates words: a no-break space from a phone keyboard or pasted
    # text must not glue `tier` and `2` into one unknown word (shlex knows ASCII only).
    text = separate_words(text).strip()
    if len(text) > MAX_TEXT:
        raise CommandError(
            f"That is {len(text):,} characters; a command is at most {MAX_TEXT:,}.", "help"
        )
    if text.lower().startswith("/capacity"):
        text = text[len("/capacity") :].strip()
    try:
        return shlex.split(text)
    except ValueError:
        # An unbalanced quote is common in free text; fall back to plain words.
        return text.split()
