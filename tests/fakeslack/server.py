"""A fake Slack on 127.0.0.1: Web API, file uploads, response_url and Socket Mode.

Use it as an async context manager::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages_in("C1")[0].text == "hi"

Behaviour follows Slack's as documented and as slack_sdk 3.x sends requests:
``chat.*`` and ``views.*`` arrive as JSON; ``files.*`` and ``apps.connections.open`` arrive
as query-string parameters on a form-encoded POST; tokens arrive as ``Authorization: Bearer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.fakeslack.blockkit import validate_blocks, validate_view
from tests.fakeslack.signing import UNUSED_RESPONSE_URL

T = TypeVar("T")

JSON_KEYS = ("blocks", "view", "files", "attachments", "metadata")
MAX_TEXT = 40_000
RESPONSE_URL_MAX_USES = 5
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0FAKE"
APP_ID = "A0FAKE"
# What a token is granted when a test does not say: every scope the bot could ask for.
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "channels:join",
    "users:read",
    "reactions:write",
)
# The scope Slack checks per method (one of them, for conversations.*), as its docs list.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.history": ("channels:history", "groups:history"),
}


# -- recorded state ------------------------------------------------------------------------------


@dataclass
class Call:
    """One request to ``/api/<method>``."""

    method: str
    params: dict[str, Any]
    token: str | None
    time: float
    status: int = 200
    ok: bool = False
    error: str | None = None
    faulted: bool = False
    warnings: list[str] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str = BOT_USER_ID
    bot_id: str = BOT_ID
    attachments: list[Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    missing_text: bool = False
    reply_count: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    # Slack's message metadata: {"event_type": ..., "event_payload": {...}}.
    metadata: dict[str, Any] | None = None

    def to_slack(self, *, include_metadata: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "bot_id": self.bot_id,
            "text": self.text or "",
            "ts": self.ts,
            "team": TEAM_ID,
        }
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self.attachments is not None:
            out["attachments"] = self.attachments
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.files:
            out["files"] = self.files
        if self.edits:
            out["edited"] = {"user": self.user, "ts": self.edits[-1]["edited_ts"]}
        if include_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        return out


@dataclass
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    missing_text: bool = False


@dataclass
class View:
    id: str
    type: str
    view: dict[str, Any]
    user_id: str | None
    trigger_id: str | None = None
    external_id: str | None = None
    hash: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_slack(self) -> dict[str, Any]:
        v = copy.deepcopy(self.view)
        v.update(
            {
                "id": self.id,
                "team_id": TEAM_ID,
                "type": self.type,
                "hash": self.hash,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "root_view_id": self.id,
                "previous_view_id": None,
                "external_id": self.external_id or "",
                "state": {"values": {}},
            }
        )
        v.setdefault("private_metadata", "")
        v.setdefault("callback_id", "")
        return v


@dataclass
class UploadedFile:
    id: str
    name: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    alt_txt: str | None = None
    completed: bool = False

    def to_slack(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title or self.name,
            "size": len(self.data or b""),
            "user": BOT_USER_ID,
            "channels": list(self.channels),
            "mimetype": "application/octet-stream",
        }


@dataclass
class ResponsePost:
    """One POST to a response_url."""

    id: str
    body: dict[str, Any]
    status: int
    error: str | None
    time: float

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))

    @property
    def text(self) -> str | None:
        return self.body.get("text")

    @property
    def blocks(self) -> list[dict[str, Any]] | None:
        return self.body.get("blocks")


@dataclass
class _ResponseUrl:
    id: str
    channel: str | None
    message_ts: str | None
    user_id: str | None
    uses: int = 0
    posts: list[ResponsePost] = field(default_factory=list)


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    times: int


class SlackApiFault(Exception):
    """Raised internally to answer a Web API call with an error."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _metadata(value: Any) -> dict[str, Any] | None:
    """Slack keeps metadata with a string event_type and an object payload, else none."""
    if isinstance(value, dict) and isinstance(value.get("event_type"), str):
        payload = value.get("event_payload")
        return {"event_type": value["event_type"], "event_payload": payload or {}}
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


# -- the fake ------------------------------------------------------------------------------------


class FakeSlack:
    """An in-process fake Slack. Listens only on 127.0.0.1, on a free port."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        *,
        channels: dict[str, str] | None = None,
        scopes: tuple[str, ...] | list[str] = DEFAULT_SCOPES,
        not_member: set[str] | None = None,
    ) -> None:
        """``channels`` maps id -> name. If given, other channel ids answer channel_not_found;
        if omitted, any channel id is accepted. ``scopes`` are what the bot token was
        granted: sent back in every response's ``x-oauth-scopes`` header as Slack does, and
        enforced (``missing_scope``) for the methods in METHOD_SCOPES. ``not_member``: the
        channels the bot has not been invited to (``is_member`` false)."""
        self.bot_token = bot_token
        self.app_token = app_token
        self.channels: dict[str, str] | None = dict(channels) if channels is not None else None
        self.scopes = tuple(scopes)
        self.not_member: set[str] = set(not_member or ())
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port: int = 0
        self._changed = asyncio.Event()
        self._ts_last = 0
        self._ids = itertools.count(1)
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=1024**3)
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        app.router.add_get("/socket/{n}", self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code=1001, message=b"server shutdown"), 1.0)
        for fut in self._pending_acks.values():
            if not fut.done():
                fut.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def reset(self) -> None:
        """Forget all recorded state (not the tokens, channels or listening socket)."""
        self.calls: list[Call] = []
        self.messages: dict[str, list[Message]] = {}
        self.deleted_messages: list[Message] = []
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.home_views: dict[str, View] = {}
        self.files: dict[str, UploadedFile] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.socket_messages: list[dict[str, Any]] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._triggers: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = getattr(self, "_sockets", [])
        self._pending_acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.socket_connections = 0
        self.socket_connected = asyncio.Event()
        self._socket_tickets: dict[str, bool] = {}

    # -- URLs --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/"

    # -- helpers for tests -------------------------------------------------------------------

    def messages_in(self, channel: str, *, thread_ts: str | None = None) -> list[Message]:
        """Live (not deleted) messages in ``channel``, oldest first; optionally one thread."""
        msgs = [m for m in self.messages.get(channel, []) if not m.deleted]
        if thread_ts is not None:
            msgs = [m for m in msgs if m.thread_ts == thread_ts or m.ts == thread_ts]
        return msgs

    def message(self, channel: str, ts: str) -> Message | None:
        for m in self.messages.get(channel, []):
            if m.ts == ts:
                return m
        return None

    def ephemerals_in(self, channel: str, user: str | None = None) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.channel == channel and user in (None, e.user)]

    def views_for(self, user_id: str) -> list[View]:
        """Modals opened for ``user_id`` (needs a trigger from ``new_trigger_id(user_id)``)."""
        return [v for v in self.views.values() if v.user_id == user_id]

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    @property
    def messages_missing_text(self) -> list[Message]:
        """Messages posted/updated with blocks but no top-level ``text`` fallback."""
        out = [m for ms in self.messages.values() for m in ms if m.missing_text]
        return out

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value; TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s: {predicate!r}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(interval * 10, remaining))

    def _notify(self) -> None:
        self._changed.set()

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``method`` is a Web API method name, or ``"response_url"`` / ``"upload"``.
        Default status: 200 if ``error`` is given (a Slack error), else 429 (rate limited).
        """
        if status is None:
            status = 200 if error is not None else 429
        if error is None:
            error = {429: "ratelimited"}.get(status, "internal_error" if status >= 500 else None)
        self._faults.setdefault(method, []).append(
            _Fault(status, error, retry_after if status == 429 else None, times)
        )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls to ``method``, then answer only after
        ``seconds``: Slack posting but answering after the client gave up."""
        self._delays.setdefault(method, []).extend([seconds] * times)

    def _take_fault(self, method: str) -> _Fault | None:
        faults = self._faults.get(method)
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        return fault

    def new_trigger_id(self, user_id: str = "U1") -> str:
        """A trigger_id the fake associates with ``user_id`` (for ``views_for``)."""
        tid = f"{next(self._ids)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._triggers[tid] = user_id
        return tid

    def new_response_url(
        self,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        user_id: str | None = None,
    ) -> str:
        """A response_url; ``channel``/``message_ts`` tie it to a message for replace/delete."""
        rid = uuid.uuid4().hex
        self._response_urls[rid] = _ResponseUrl(rid, channel, message_ts, user_id)
        return f"{self.base_url}response/{rid}"

    def responses(self, rid_or_url: str) -> list[ResponsePost]:
        rid = rid_or_url.rstrip("/").rsplit("/", 1)[-1]
        entry = self._response_urls.get(rid)
        return list(entry.posts) if entry else []

    # -- ids ---------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._ts_last + 1)
        self._ts_last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    # -- Web API -----------------------------------------------------------------------------

    async def _parse_params(self, request: web.Request) -> tuple[dict[str, Any], str | None, bool]:
        params: dict[str, Any] = dict(request.query)
        body_token: str | None = params.pop("token", None)
        is_json = request.content_type == "application/json"
        if request.method == "POST" and request.can_read_body:
            if is_json:
                raw = await request.read()
                try:
                    data = json.loads(raw or b"{}")
                except ValueError as exc:
                    raise SlackApiFault("invalid_json") from exc
                if not isinstance(data, dict):
                    raise SlackApiFault("invalid_json")
                data.pop("token", None)  # Slack ignores tokens in JSON bodies
                params.update(data)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        params[key] = value
                if "token" in params:
                    body_token = params.pop("token")
        for key in JSON_KEYS:
            encoded = params.get(key)
            if isinstance(encoded, str) and encoded.strip()[:1] in ("[", "{"):
                try:
                    params[key] = json.loads(encoded)
                except ValueError as exc:
                    err = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                    raise SlackApiFault(err) from exc
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.startswith("Bearer ") else body_token
        return params, token or None, is_json

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackApiFault("not_authed")
        app_only = method == "apps.connections.open"
        expected = self.app_token if app_only else self.bot_token
        other = self.bot_token if app_only else self.app_token
        if token == expected or (method == "auth.test" and token == self.app_token):
            return
        if token == other:
            raise SlackApiFault("not_allowed_token_type")
        raise SlackApiFault("invalid_auth")

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method=method, params={}, token=None, time=time.time())
        self.calls.append(call)
        fault = self._take_fault(method)
        try:
            call.params, call.token, _ = await self._parse_params(request)
            if fault is not None:
                call.faulted = True
                call.status = fault.status
                call.error = fault.error
                body: dict[str, Any] = {"ok": False, "error": fault.error}
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                call.response = body
                return web.json_response(body, status=fault.status, headers=headers)
            self._check_token(method, call.token)
            self._check_scope(method, call.token)
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackApiFault("unknown_method")
            result: dict[str, Any] = handler(call.params, call)
            body = {"ok": True, **result}
            delays = self._delays.get(method)
            if delays:
                self._notify()
                await asyncio.sleep(delays.pop(0))
            if call.warnings:
                body["warning"] = ",".join(call.warnings)
                body["response_metadata"] = {"warnings": list(call.warnings)}
            call.ok = True
        except SlackApiFault as fault_exc:
            call.error = fault_exc.error
            body = {"ok": False, "error": fault_exc.error, **fault_exc.extra}
        finally:
            self._notify()
        call.response = body
        headers: dict[str, str] = {}
        if call.token == self.bot_token:
            # Slack answers every call made with a token with the scopes it holds.
            headers["x-oauth-scopes"] = ",".join(self.scopes)
            accepted = METHOD_SCOPES.get(method)
            if accepted:
                headers["x-accepted-oauth-scopes"] = ",".join(accepted)
        return web.json_response(body, headers=headers)

    def _check_scope(self, method: str, token: str | None) -> None:
        accepted = METHOD_SCOPES.get(method)
        if token != self.bot_token or not accepted or set(accepted) & set(self.scopes):
            return
        raise SlackApiFault(
            "missing_scope", needed=",".join(accepted), provided=",".join(self.scopes)
        )

    def _require_channel(self, params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not channel or not isinstance(channel, str):
            raise SlackApiFault("channel_not_found")
        if self.channels is not None and channel not in self.channels:
            raise SlackApiFault("channel_not_found")
        return channel

    def _check_message_content(
        self, params: dict[str, Any], call: Call, *, require_content: bool = True
    ) -> None:
        text = params.get("text")
        blocks = params.get("blocks")
        has_text = isinstance(text, str) and text != ""
        has_blocks = blocks is not None
        if require_content and not has_text and not has_blocks and not params.get("attachments"):
            raise SlackApiFault("no_text")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise SlackApiFault("msg_too_long")
        if has_blocks:
            errors = validate_blocks(blocks, "message")
            if errors:
                raise _invalid_blocks(errors)
            if not has_text:
                call.warnings.append("missing_text_fallback")

    def _api_auth_test(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "capacitybot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_chat_postMessage(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        channel = self._require_channel(params)
        self._check_message_content(params, call)
        thread_ts = params.get("thread_ts") or None
        msg = Message(
            channel=channel,
            ts=self._next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=thread_ts,
            attachments=params.get("attachments"),
            missing_text="missing_text_fallback" in call.warnings,
            params=dict(params),
            metadata=_metadata(params.get("metadata")),
        )
        if thread_ts:
            parent = self.message(channel, thread_ts)
            if parent is not None:
                parent.reply_count += 1
                if parent.thread_ts is None:
                    parent.thread_ts = parent.ts
        self.messages.setdefault(channel, []).append(msg)
        return {"channel": channel, "ts": msg.ts, "message": msg.to_slack()}

    def _api_chat_postEphemeral(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        channel = self._require_channel(params)
        user = params.get("user")
        if not user:
            raise SlackApiFault("user_not_in_channel")
        self._check_message_content(params, call)
        eph = Ephemeral(
            channel=channel,
            user=str(user),
            message_ts=self._next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=params.get("thread_ts") or None,
            missing_text="missing_text_fallback" in call.warnings,
        )
        self.ephemerals.append(eph)
        return {"message_ts": eph.message_ts}

    def _api_chat_update(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        channel = self._require_channel(params)
        ts = params.get("ts")
        if not ts:
            raise SlackApiFault("message_not_found")
        self._check_message_content(params, call)
        msg = self.message(channel, str(ts))
        if msg is None or msg.deleted:
            raise SlackApiFault("message_not_found")
        self._apply_edit(msg, params.get("text"), params.get("blocks"), "blocks" in params)
        msg.missing_text = "missing_text_fallback" in call.warnings
        return {"channel": channel, "ts": msg.ts, "text": msg.text or "", "message": msg.to_slack()}

    def _apply_edit(self, msg: Message, text: str | None, blocks: Any, blocks_given: bool) -> None:
        msg.edits.append(
            {
                "text": msg.text,
                "blocks": copy.deepcopy(msg.blocks),
                "edited_ts": self._next_ts(),
            }
        )
        if text is not None:
            msg.text = text
        if blocks_given:
            msg.blocks = blocks

    def _api_chat_delete(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        channel = self._require_channel(params)
        msg = self.message(channel, str(params.get("ts") or ""))
        if msg is None or msg.deleted:
            raise SlackApiFault("message_not_found")
        msg.deleted = True
        self.deleted_messages.append(msg)
        return {"channel": channel, "ts": msg.ts}

    def _api_conversations_info(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        channel = self._require_channel(params)
        name = (self.channels or {}).get(channel, channel.lower())
        return {
            "channel": {
                "id": channel,
                "name": name,
                "is_channel": channel.startswith("C"),
                "is_group": channel.startswith("G"),
                "is_im": channel.startswith("D"),
                "is_private": channel.startswith("G"),
                "is_archived": False,
                "is_member": channel not in self.not_member,
                "created": 1700000000,
            }
        }

    def _api_conversations_history(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Top-level messages, newest first; metadata only with include_all_metadata."""
        channel = self._require_channel(params)
        oldest = float(params.get("oldest") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 999))
        found = [
            m
            for m in reversed(self.messages.get(channel, []))
            if not m.deleted and m.thread_ts in (None, m.ts) and float(m.ts) > oldest
        ]
        with_meta = _truthy(params.get("include_all_metadata"))
        return {
            "messages": [m.to_slack(include_metadata=with_meta) for m in found[:limit]],
            "has_more": len(found) > limit,
        }

    def _api_conversations_replies(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """A thread: its parent, then the replies oldest first."""
        channel = self._require_channel(params)
        parent = self.message(channel, str(params.get("ts") or ""))
        if parent is None:
            raise SlackApiFault("thread_not_found")
        replies = self.messages_in(channel, thread_ts=parent.ts)
        with_meta = _truthy(params.get("include_all_metadata"))
        thread = [parent, *(m for m in replies if m is not parent)]
        return {"messages": [m.to_slack(include_metadata=with_meta) for m in thread]}

    # views

    def _check_view(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackApiFault(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing view"]}
            )
        if view.get("type") != kind:
            msg = f"[ERROR] view type must be {kind} [json-pointer:/view/type]"
            raise SlackApiFault("invalid_arguments", response_metadata={"messages": [msg]})
        errors = validate_view(view)
        if errors:
            # Slack answers view validation failures with invalid_arguments (not invalid_blocks).
            raise SlackApiFault(
                "invalid_arguments",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )
        return view

    def _api_views_open(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        trigger = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger:
            raise SlackApiFault(
                "invalid_arguments", response_metadata={"messages": ["invalid `trigger_id`"]}
            )
        view = self._check_view(params, "modal")
        ext = view.get("external_id")
        if ext and any(v.external_id == ext for v in self.views.values()):
            raise SlackApiFault("duplicate_external_id")
        v = View(
            id=self._new_id("V"),
            type="modal",
            view=copy.deepcopy(view),
            user_id=self._triggers.get(str(trigger)),
            trigger_id=str(trigger),
            external_id=ext,
            hash=f"{int(time.time())}.{secrets.token_hex(4)}",
        )
        self.views[v.id] = v
        return {"view": v.to_slack()}

    def _api_views_update(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        view_id = params.get("view_id")
        ext = params.get("external_id")
        target: View | None = None
        if view_id:
            target = self.views.get(str(view_id)) or next(
                (v for v in self.home_views.values() if v.id == view_id), None
            )
        elif ext:
            target = next((v for v in self.views.values() if v.external_id == ext), None)
        if target is None:
            raise SlackApiFault("not_found")
        view = self._check_view(params, target.type)
        h = params.get("hash")
        if h and h != target.hash:
            raise SlackApiFault("hash_conflict")
        target.history.append(copy.deepcopy(target.view))
        target.view = copy.deepcopy(view)
        target.hash = f"{int(time.time())}.{secrets.token_hex(4)}"
        return {"view": target.to_slack()}

    def _api_views_publish(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise SlackApiFault("invalid_arguments")
        view = self._check_view(params, "home")
        prev = self.home_views.get(str(user_id))
        h = params.get("hash")
        if prev is not None and h and h != prev.hash:
            raise SlackApiFault("hash_conflict")
        v = View(
            id=prev.id if prev else self._new_id("V"),
            type="home",
            view=copy.deepcopy(view),
            user_id=str(user_id),
            hash=f"{int(time.time())}.{secrets.token_hex(4)}",
            history=([*prev.history, prev.view]) if prev else [],
        )
        self.home_views[str(user_id)] = v
        return {"view": v.to_slack()}

    # files

    def _api_files_getUploadURLExternal(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename or length is None:
            raise SlackApiFault("invalid_arguments")
        try:
            n = int(length)
        except (TypeError, ValueError) as exc:
            raise SlackApiFault("invalid_arguments") from exc
        f = UploadedFile(
            id=self._new_id("F"), name=str(filename), length=n, alt_txt=params.get("alt_txt")
        )
        self.files[f.id] = f
        return {"upload_url": f"{self.base_url}upload/{f.id}", "file_id": f.id}

    def _api_files_completeUploadExternal(
        self, params: dict[str, Any], call: Call
    ) -> dict[str, Any]:
        items = params.get("files")
        if not isinstance(items, list) or not items:
            raise SlackApiFault("invalid_arguments")
        channel = params.get("channel_id") or None
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        if channel:
            channels = [channel, *channels]
        for c in channels:
            self._require_channel({"channel": c})
        done: list[UploadedFile] = []
        for item in items:
            f = self.files.get(str(item.get("id")) if isinstance(item, dict) else "")
            if f is None or f.data is None:
                raise SlackApiFault("file_not_found")
            done.append(f)
        for item, f in zip(items, done, strict=True):
            f.title = item.get("title") or f.name
            f.channel = channels[0] if channels else None
            f.channels = channels
            f.initial_comment = params.get("initial_comment")
            f.thread_ts = params.get("thread_ts") or None
            f.completed = True
        for c in channels:
            self.messages.setdefault(c, []).append(
                Message(
                    channel=c,
                    ts=self._next_ts(),
                    text=params.get("initial_comment") or "",
                    blocks=None,
                    thread_ts=params.get("thread_ts") or None,
                    files=[f.to_slack() for f in done],
                    params=dict(params),
                )
            )
        return {"files": [f.to_slack() for f in done]}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        f = self.files.get(request.match_info["file_id"])
        fault = self._take_fault("upload")
        if fault is not None:
            return web.Response(status=fault.status, text=fault.error or "error")
        if f is None:
            return web.Response(status=404, text="not found")
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = form.get("file") or form.get("filename")
            if isinstance(part, web.FileField):
                data = part.file.read()
            elif isinstance(part, bytes | bytearray):
                data = bytes(part)
            else:
                data = str(part or "").encode()
        else:
            data = await request.read()
        f.data = data
        self._notify()
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # socket mode

    def _api_apps_connections_open(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._socket_tickets[ticket] = True
        return {"url": f"ws://127.0.0.1:{self.port}/socket/{ticket}"}

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["n"] not in self._socket_tickets:
            return web.Response(status=404, text="unknown socket url")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {
                    "host": "applink-fake-1",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        self.socket_connected.set()
        self._notify()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                self.socket_messages.append(data)
                env_id = data.get("envelope_id") if isinstance(data, dict) else None
                if env_id:
                    self.socket_acks.append(data)
                    fut = self._pending_acks.pop(env_id, None)
                    if fut is not None and not fut.done():
                        fut.set_result(data)
                self._notify()
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
            self._notify()
        return ws

    @property
    def socket_open_count(self) -> int:
        """WebSocket connections currently open."""
        return sum(1 for ws in self._sockets if not ws.closed)

    async def wait_socket_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until at least ``count`` connections have been made in total and one is open."""
        await self.wait_for(
            lambda: self.socket_connections >= count and self.socket_open_count > 0, timeout
        )

    def _current_socket(self) -> web.WebSocketResponse | None:
        open_ = [ws for ws in self._sockets if not ws.closed]
        return open_[-1] if open_ else None

    async def send_socket_event(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        timeout: float = 5.0,
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
    ) -> dict[str, Any]:
        """Send an envelope on the newest open connection; return the client's ack.

        Raises TimeoutError if no connection is open or no ack arrives within ``timeout``.
        A payload built without a response URL (the `UNUSED_RESPONSE_URL` placeholder) gets
        one of this fake's, as Slack's own payloads carry Slack's.
        """
        if payload.get("response_url") == UNUSED_RESPONSE_URL:
            payload = {**payload, "response_url": f"{self.base_url}response/unused"}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ws = await self.wait_for(self._current_socket, timeout)
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type == "slash_commands" or (
                envelope_type == "interactive"
                and payload.get("type") in ("view_submission", "block_suggestion")
            )
        env_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": env_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        fut: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._pending_acks[env_id] = fut
        assert ws is not None
        await ws.send_json(envelope)
        try:
            return await asyncio.wait_for(fut, max(0.0, deadline - loop.time()))
        except TimeoutError:
            self._pending_acks.pop(env_id, None)
            raise TimeoutError(
                f"no ack for {envelope_type} envelope {env_id} within {timeout}s"
            ) from None

    async def socket_disconnect(
        self, reason: str = "refresh_requested", close: bool = False
    ) -> None:
        """Send ``{"type": "disconnect", "reason": ...}`` to every open connection.

        With ``close=True`` also close them from the server side afterwards."""
        for ws in [w for w in self._sockets if not w.closed]:
            await ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
            )
            if close:
                await ws.close(code=1000)

    async def socket_close_all(self) -> None:
        """Drop every connection without a disconnect message (a network failure)."""
        for ws in list(self._sockets):
            await ws.close(code=1011)

    # response_url

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        entry = self._response_urls.get(rid)
        raw = await request.read()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        post = ResponsePost(
            id=rid,
            body=body if isinstance(body, dict) else {},
            status=200,
            error=None,
            time=time.time(),
        )
        try:
            if entry is None:
                return self._response_answer(post, 404, "no_service")
            entry.posts.append(post)
            fault = self._take_fault("response_url")
            if fault is not None:
                return self._response_answer(post, fault.status, fault.error or "error")
            if not isinstance(body, dict):
                return self._response_answer(post, 400, "invalid_payload")
            entry.uses += 1
            if entry.uses > RESPONSE_URL_MAX_USES:
                return self._response_answer(post, 404, "expired_url")
            return self._apply_response(entry, post)
        finally:
            self._notify()

    def _response_answer(self, post: ResponsePost, status: int, error: str | None) -> web.Response:
        post.status = status
        post.error = error
        return web.Response(status=status, text=error or "ok", content_type="text/plain")

    def _apply_response(self, entry: _ResponseUrl, post: ResponsePost) -> web.Response:
        body = post.body
        original = (
            self.message(entry.channel, entry.message_ts)
            if entry.channel and entry.message_ts
            else None
        )
        if post.delete_original:
            if original is None or original.deleted:
                return self._response_answer(post, 404, "message_not_found")
            original.deleted = True
            self.deleted_messages.append(original)
            return self._response_answer(post, 200, None)
        text = body.get("text")
        blocks = body.get("blocks")
        if (not isinstance(text, str) or not text) and blocks is None:
            return self._response_answer(post, 400, "no_text")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            return self._response_answer(post, 400, "msg_too_long")
        if blocks is not None and validate_blocks(blocks, "message"):
            return self._response_answer(post, 400, "invalid_blocks")
        if post.replace_original:
            if original is None or original.deleted:
                return self._response_answer(post, 404, "message_not_found")
            self._apply_edit(original, text, blocks, "blocks" in body)
            original.missing_text = not text
            return self._response_answer(post, 200, None)
        if post.response_type == "in_channel" and entry.channel:
            self.messages.setdefault(entry.channel, []).append(
                Message(
                    channel=entry.channel,
                    ts=self._next_ts(),
                    text=text,
                    blocks=blocks,
                    thread_ts=body.get("thread_ts"),
                    missing_text=not text,
                    params=dict(body),
                )
            )
        elif entry.channel and entry.user_id:
            self.ephemerals.append(
                Ephemeral(
                    channel=entry.channel,
                    user=entry.user_id,
                    message_ts=self._next_ts(),
                    text=text,
                    blocks=blocks,
                    missing_text=not text,
                )
            )
        return self._response_answer(post, 200, None)


def _invalid_blocks(errors: list[str]) -> SlackApiFault:
    return SlackApiFault(
        "invalid_blocks",
        errors=errors,
        response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
    )
