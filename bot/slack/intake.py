"""`POST /slack/events`, verify-first: the signature on the raw bytes, then our own decoding,
then Bolt (with its own verification off) given the decoded payload.

Why not hand Bolt the raw body: Bolt's HTTP parsing (`slack_bolt/request/internals.py`,
`parse_body`) guesses a body's form from its *text*. A body that merely *contains* the
letters `payload` anywhere (a slash command `text=deploy payload`, a channel or user name
such as `#payload-team`) is taken for an interactivity post; it has no `payload=` field,
so the request becomes `{}`, matches no listener and is answered 404 "unhandled request".
A form body starting with `{` would be read as JSON. And Bolt parses before its
verification middleware runs, so unsigned garbage reached `json.loads` (500s with a
traceback) and a timestamp `abc` raised inside the verifier. Here the form is decided by
the Content-Type and by field *names* (`command`, `payload`), after the signature holds.

Answers: 401 for an unsigned, badly signed, stale or replayed request (one WARNING line,
no body in it, at most ~10 a minute); 400 with a reason for a signed body that is not a
Slack payload; 200 for a retried event already handled; otherwise Bolt's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import (
    build_normalized_headers,
    extract_content_type,
    parse_query,
)

from bot.slack.memo import LogBudget, SeenKeys

__all__ = [
    "MAX_SKEW",
    "DecodeError",
    "Intake",
    "ParsedRequest",
    "decode_body",
    "refusal_kind",
    "replay_key",
    "signature_problem",
]

log = logging.getLogger("capacity_bot.intake")

MAX_SKEW = 300  # Slack's five minutes
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
MAX_FIELDS = 200
MAX_DEPTH = 64  # Slack's payloads nest a dozen levels at most


class DecodeError(ValueError):
    """A signed body that is not a Slack payload; the message is the 400's reason."""


def _mac(secret: str) -> Any:
    # The key schedule once per secret; each request copies it (hmac.new per request
    # hashes the key's pads again).
    return hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)


_MACS: dict[str, Any] = {}


def signature_problem(
    headers: Any, raw: bytes | None, secret: str, now: float, mac: Any = None
) -> str | None:
    """Why the request is not Slack's (None when it is). With `raw=None` only the headers
    are checked, so a forged request is refused before its body is read. `mac`: the
    secret's keyed HMAC, made once (`hmac.new(secret)`), copied here."""
    stamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    if not stamp or not signature:
        return "unsigned"
    if not _TIMESTAMP.fullmatch(stamp):
        return "timestamp not a number"
    if abs(now - int(stamp)) > MAX_SKEW:
        return "timestamp outside 5 minutes"
    if not _SIGNATURE.fullmatch(signature):
        return "malformed signature"
    if raw is None:
        return None
    if mac is None:
        mac = _MACS.get(secret) or _MACS.setdefault(secret, _mac(secret))
    return None if _signed(mac, stamp, signature, raw) else "bad signature"


def _signed(mac: Any, stamp: str, signature: str, raw: bytes) -> bool:
    """The signature is the HMAC of `v0:stamp:raw` (headers already checked for form)."""
    mac = mac.copy()
    mac.update(b"v0:" + stamp.encode("ascii") + b":")
    mac.update(raw)
    return hmac.compare_digest("v0=" + mac.hexdigest(), signature)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, without recursion (a hostile body may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _json_object(text: str, what: str) -> dict[str, Any]:
    # Cheap guard before json.loads: more brackets than MAX_DEPTH in a row cannot be ours.
    if ("[" * (MAX_DEPTH + 1)) in text or ("{" * (MAX_DEPTH + 1)) in text:
        raise DecodeError(f"{what} nests too deeply")
    try:
        data = json.loads(text)
    except RecursionError:
        raise DecodeError(f"{what} nests too deeply") from None
    except ValueError as exc:  # also int() digit limits
        raise DecodeError(f"{what} is not valid JSON ({str(exc)[:60]})") from None
    if not isinstance(data, dict):
        raise DecodeError(f"{what} is a JSON {type(data).__name__}, not an object")
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise DecodeError(f"{what} nests too deeply")
    return data


# Fields Bolt reads while routing: each must have the type Slack gives it.
_OBJECT_OR_ID = ("team", "user", "channel", "enterprise", "container")
_OBJECTS = ("event", "view", "message", "authorizations", "actions")
# Interactivity a person started: Slack always names them (`user.id`).
_FROM_A_PERSON = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
)


def _check_shape(payload: dict[str, Any]) -> dict[str, Any]:
    kind = payload.get("type")
    if "command" in payload:
        bad = [k for k, v in payload.items() if not isinstance(v, str)]
        if bad or not payload["command"].startswith("/"):
            raise DecodeError("slash command fields are not text")
        return payload
    if not isinstance(kind, str) or not kind:
        raise DecodeError("no payload type")
    for key in _OBJECT_OR_ID:
        value = payload.get(key)
        if value is not None and not isinstance(value, str | dict):
            raise DecodeError(f"`{key}` is neither an id nor an object")
    for key in _OBJECTS:
        value = payload.get(key)
        if value is None:
            continue
        if key in ("authorizations", "actions"):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise DecodeError(f"`{key}` is not a list of objects")
        elif not isinstance(value, dict):
            raise DecodeError(f"`{key}` is not an object")
    # What Bolt indexes without looking, by payload type.
    if kind in ("view_submission", "view_closed") and not isinstance(
        (payload.get("view") or {}).get("type"), str
    ):
        raise DecodeError("`view.type` is missing")
    if kind == "block_actions" and not payload.get("actions"):
        raise DecodeError("`actions` is empty")
    user = payload.get("user")
    if kind in _FROM_A_PERSON and not (isinstance(user, dict) and isinstance(user.get("id"), str)):
        raise DecodeError("`user.id` is missing")
    if kind == "event_callback" and not isinstance((payload.get("event") or {}).get("type"), str):
        raise DecodeError("`event.type` is missing")
    return payload


def _form_fields(text: str) -> dict[str, str]:
    """`dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS))`, the
    same result (and the same ValueError past MAX_FIELDS), without a function call per
    name and value: most of Slack's fields need no unquoting."""
    parts = text.split("&")
    if len(parts) > MAX_FIELDS:
        raise ValueError("too many fields")
    fields: dict[str, str] = {}
    for part in parts:
        if not part:
            continue
        name, _, value = part.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value)
        fields[name] = value
    return fields


def decode_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The Slack payload in a verified body, chosen by Content-Type and field names."""
    if not raw:
        raise DecodeError("empty body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError("body is not UTF-8") from None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        return _check_shape(_json_object(text, "body"))
    if kind != "application/x-www-form-urlencoded":
        raise DecodeError(f"unexpected Content-Type `{kind[:40]}`")
    try:
        fields = _form_fields(text)
    except ValueError:
        raise DecodeError("too many form fields") from None
    if "command" in fields:
        return _check_shape(fields)
    if "payload" in fields:
        return _check_shape(_json_object(fields["payload"], "`payload`"))
    if fields.get("ssl_check") == "1":
        return {"ssl_check": "1"}
    raise DecodeError("form has neither `command` nor `payload`")


class ParsedRequest(AsyncBoltRequest):
    """An HTTP-mode Bolt request built from a payload we decoded (Bolt's own parsing of
    the raw text is what misroutes; see the module docstring)."""

    def __init__(self, *, payload: dict[str, Any], headers: Any, query: Any = None) -> None:
        # Bolt's own __init__, less its parse of an empty body and a first context built
        # from it (thrown away here): the payload is decoded already.
        self.raw_body = ""
        self.query = parse_query(query)
        self.headers = build_normalized_headers(headers)
        self.content_type = extract_content_type(self.headers)
        self.body = payload
        self.context = build_async_context(AsyncBoltContext({}), payload)
        self.lazy_only = bool(self.headers.get("x-slack-bolt-lazy-only", [False])[0])
        self.lazy_function_name = self.headers.get("x-slack-bolt-lazy-function-name", [None])[0]
        self.mode = "http"

    def to_copyable(self) -> ParsedRequest:
        copy = ParsedRequest(payload=self.body, headers=self.headers, query=self.query)
        copy.context = self.context.to_copyable()
        return copy


def replay_key(signature: str) -> int | str:
    """What the replay memory keeps of a verified request: the first 64 bits of its HMAC
    as one int (the timestamp is inside the HMAC), which `SeenKeys` stores as its hash in
    a flat array: 8 bytes in the table and 16 in the queue, not a Python object."""
    try:
        return int(signature[3:19], 16)
    except ValueError:  # not hex: only a signature HMAC-checked elsewhere gets here
        return signature


def refusal_kind(status: int, reason: str) -> str:
    """A refusal as one of a few labels: bad_signature (unsigned, malformed or wrong),
    stale, replay, undecodable (a signed body that is not a Slack payload), too_large."""
    if status == 413:
        return "too_large"
    if status == 400:
        return "undecodable"
    if reason == "replayed request":
        return "replay"
    return "stale" if reason.startswith("timestamp outside") else "bad_signature"


def _reject(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)


class Intake:
    """The aiohttp handler for `POST /slack/events` in front of `bolt_app`."""

    def __init__(
        self,
        bolt_app: AsyncApp,
        signing_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        scope: Callable[[dict[str, Any]], AbstractContextManager[object]] | None = None,
        replay_capacity: int = 50_000,
        event_capacity: int = 50_000,
        on_refuse: Callable[[str], None] | None = None,
    ) -> None:
        if not signing_secret:
            raise ValueError("a signing secret is required to serve Slack over HTTP")
        self.bolt_app = bolt_app
        self.secret = signing_secret
        self.mac = _mac(signing_secret)
        self.clock = clock
        # Around Bolt's dispatch of a verified payload (the request's log context, timing).
        self.scope = scope or (lambda body: nullcontext())
        # A replay older than MAX_SKEW is refused by its timestamp, so that is all we keep.
        self.replays = SeenKeys(MAX_SKEW + 60, replay_capacity, clock)
        # Slack retries an event up to three times within about an hour.
        self.events = SeenKeys(2 * 3600, event_capacity, clock)
        self.rejections = LogBudget(log, clock)
        # Told each refusal's kind (`refusal_kind`), for /metrics.
        self.on_refuse = on_refuse or (lambda kind: None)

    def _refuse(
        self, request: web.Request, status: int, reason: str, size: int | None
    ) -> web.Response:
        where = request.remote or "?"
        length = "" if size is None else f", {size} bytes"
        self.rejections.warning(f"slack intake: {status} {reason} from {where}{length}")
        self.on_refuse(refusal_kind(status, reason))
        return _reject(status, "invalid request" if status == 401 else reason)

    async def handle(self, request: web.Request) -> web.Response:
        now = self.clock()
        problem = signature_problem(request.headers, None, self.secret, now)
        if problem:
            return self._refuse(request, 401, problem, request.content_length)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(request, 413, "body too large", request.content_length)
        # The headers' form was checked above (the same headers): only the HMAC is left.
        signature = (
            request.headers["X-Slack-Request-Timestamp"],
            request.headers["X-Slack-Signature"],
        )
        if not _signed(self.mac, *signature, raw):
            return self._refuse(request, 401, "bad signature", len(raw))
        replayed = self.replays.seen_or_add(replay_key(signature[1]))
        try:
            payload = decode_body(raw, request.headers.get("Content-Type", ""))
        except DecodeError as exc:
            return self._refuse(request, 400, str(exc), len(raw))
        event_id = payload.get("event_id") if payload.get("type") == "event_callback" else None
        retried = bool(request.headers.get("X-Slack-Retry-Num"))
        handled = isinstance(event_id, str) and self.events.seen_or_add(event_id)
        if replayed and not (handled and retried):
            return self._refuse(request, 401, "replayed request", len(raw))
        if handled:
            return web.Response(status=200)  # a retry of an event already handled
        if "ssl_check" in payload:
            return web.Response(status=200)
        try:
            bolt_request = ParsedRequest(
                payload=payload, headers=dict(request.headers), query=request.query_string
            )
        except Exception as exc:  # Bolt's context builders read fields we did not check
            return self._refuse(
                request, 400, f"not a Slack payload ({type(exc).__name__})", len(raw)
            )
        try:
            with self.scope(payload):
                answer = await self.bolt_app.async_dispatch(bolt_request)
        except Exception as exc:
            # Bolt's routing (and its error handler) index payload fields directly; a
            # signed shape Slack never sends must not become a 500. Listener errors never
            # get here: they are answered by the app's error handler.
            reason = f"not a payload Bolt can route ({type(exc).__name__})"
            return self._refuse(request, 400, reason, len(raw))
        return await to_aiohttp_response(answer)
