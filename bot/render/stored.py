"""Reply <-> JSON: a message as the outbox keeps it until a poster renders it. Pure.

An outbox row waits as typed data, not as one medium's markup: the Slack poster turns it
into Block Kit when it sends (`bot/notify/slack.py`), so every medium renders its own. What
the reply holds comes back as it was: a `Prose` with its moments and people, typed values
(`Money`, `Quantity`, `Moment` in the zone it carries), and the currency amounts were
written in (the plan's, set by whoever composed it: a `Quantity` in `$` follows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.money import CURRENCIES, currency_symbol, in_currency
from bot.domain.span import Span
from bot.domain.values import Piece
from bot.reply import (
    Action,
    Code,
    Facts,
    Moment,
    Money,
    Part,
    Person,
    Prose,
    Quantity,
    Reply,
    Section,
    Table,
    Text,
    Typed,
)

__all__ = ["dump_reply", "in_stored_currency", "load_reply"]

Json = Any


def dump_reply(reply: Reply) -> dict[str, Json]:
    """`reply` as JSON-ready data, with the currency its amounts are written in here.
    A reply asking a front end for an effect cannot wait in the outbox: refused."""
    if reply.effect is not None:
        raise TypeError(f"a reply with an effect ({type(reply.effect).__name__}) is not stored")
    return {
        "title": _words(reply.title),
        "parts": [_part(p) for p in reply.parts],
        "notes": [_words(n) for n in reply.notes],
        "actions": [
            {"action_id": a.action_id, "label": a.label, "value": a.value, "style": a.style}
            for a in reply.actions
        ],
        "error": reply.error,
        "meta": dict(reply.meta),
        "symbol": currency_symbol(),
    }


def load_reply(data: dict[str, Json]) -> Reply:
    """The Reply `dump_reply` stored."""
    return Reply(
        title=_unwords(data["title"]),
        parts=tuple(_unpart(p) for p in data.get("parts", ())),
        notes=tuple(_unwords(n) for n in data.get("notes", ())),
        actions=tuple(Action(**a) for a in data.get("actions", ())),
        error=bool(data.get("error", False)),
        meta={str(k): str(v) for k, v in (data.get("meta") or {}).items()},
    )


@contextmanager
def in_stored_currency(data: dict[str, Json]) -> Iterator[str]:
    """Render inside this: amounts come out in the currency they were composed in."""
    symbol = str(data.get("symbol") or "$")
    code = next((c for c, s in CURRENCIES.items() if s == symbol), symbol.strip())
    with in_currency(code) as shown:
        yield shown


def _part(part: Part) -> dict[str, Json]:
    if isinstance(part, Text):
        return {"text": _words(part.text)}
    if isinstance(part, Facts):
        return {"facts": [[_words(label), _value(value)] for label, value in part.pairs]}
    if isinstance(part, Table):
        return {
            "table": {
                "columns": [_words(c) for c in part.columns],
                "rows": [[_value(v) for v in row] for row in part.rows],
                "title": _words(part.title),
                "numeric": list(part.numeric),
            }
        }
    if isinstance(part, Section):
        return {
            "section": {
                "heading": _words(part.heading),
                "items": [_words(i) for i in part.items],
                "numbered": part.numbered,
            }
        }
    return {"code": {"lines": list(part.lines), "title": _words(part.title)}}


def _unpart(data: dict[str, Json]) -> Part:
    if "text" in data:
        return Text(_unwords(data["text"]))
    if "facts" in data:
        return Facts(tuple((_unwords(label), _unvalue(v)) for label, v in data["facts"]))
    if "table" in data:
        t = data["table"]
        return Table(
            columns=tuple(_unwords(c) for c in t["columns"]),
            rows=tuple(tuple(_unvalue(v) for v in row) for row in t["rows"]),
            title=_unwords(t.get("title", "")),
            numeric=tuple(bool(n) for n in t.get("numeric", ())),
        )
    if "section" in data:
        s = data["section"]
        return Section(
            _unwords(s["heading"]), tuple(_unwords(i) for i in s["items"]), bool(s["numbered"])
        )
    c = data["code"]
    return Code(tuple(str(line) for line in c["lines"]), _unwords(c.get("title", "")))


def _words(text: str) -> Json:
    """Plain words as a string; a Prose as its pieces, so moments and people survive."""
    if isinstance(text, Prose):
        return {"prose": [_value(p) for p in text.pieces]}
    return str(text)


def _unwords(data: Json) -> str:
    if isinstance(data, dict):
        return Prose(*(_unvalue(p) for p in data["prose"]))
    return str(data)


def _value(value: Piece) -> Json:
    if isinstance(value, str):
        return _words(value)
    if isinstance(value, Money):
        return {
            "money": {"amount": _amount(value.amount), "sign": value.sign, "symbol": value.symbol}
        }
    if isinstance(value, Quantity):
        return {"quantity": {"value": _number(value.value), "unit": value.unit, "sign": value.sign}}
    if isinstance(value, Moment):
        return {
            "moment": {"at": value.at.isoformat(), "zone": _zone(value.zone), "style": value.style}
        }
    if isinstance(value, Person):
        return {"person": value.id}
    return {"typed": value.words}


def _unvalue(data: Json) -> Piece:
    if not isinstance(data, dict) or "prose" in data:
        return _unwords(data)
    if "money" in data:
        m = data["money"]
        return Money(_unamount(m["amount"]), bool(m["sign"]), str(m["symbol"]))
    if "quantity" in data:
        q = data["quantity"]
        return Quantity(_unnumber(q["value"]), str(q["unit"]), bool(q["sign"]))
    if "moment" in data:
        at = data["moment"]
        return Moment(datetime.fromisoformat(at["at"]), _unzone(at["zone"]), at["style"])
    if "person" in data:
        return Person(str(data["person"]))
    return Typed(str(data["typed"]))


def _amount(amount: Decimal | Span) -> Json:
    if isinstance(amount, Span):
        return {"low": str(amount.low), "high": str(amount.high)}
    return str(amount)


def _unamount(data: Json) -> Decimal | Span:
    if isinstance(data, dict):
        return Span(Decimal(data["low"]), Decimal(data["high"]))
    return Decimal(data)


def _number(value: float | Decimal | None) -> Json:
    # A Decimal is written as given, a float rounded: the type decides how it reads.
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _unnumber(data: Json) -> float | Decimal | None:
    if isinstance(data, dict):
        return Decimal(data["decimal"])
    return None if data is None else float(data)


def _zone(zone: tzinfo) -> Json:
    if isinstance(zone, ZoneInfo):
        return zone.key
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        return {"offset": offset.total_seconds(), "name": zone.tzname(None)}
    raise TypeError(f"a moment's zone must be an IANA zone or a fixed offset, not {zone!r}")


def _unzone(data: Json) -> tzinfo:
    if isinstance(data, str):
        return ZoneInfo(data)
    if data["offset"] == 0 and data["name"] == "UTC":
        return UTC
    return timezone(timedelta(seconds=data["offset"]), data["name"])
