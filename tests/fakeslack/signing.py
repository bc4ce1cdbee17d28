"""Sign HTTP requests exactly as Slack does, and build Slack's request bodies.

https://docs.slack.dev/authentication/verifying-requests-from-slack
basestring = "v0:" + timestamp + ":" + body
signature = "v0=" + hex(HMAC-SHA256(secret, basestring))
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# What a body built without a real response URL carries. The bot only posts to Slack's
# hooks host or its own SLACK_API_URL, so senders swap it for the fake's (`aim_at`).
UNUSED_RESPONSE_URL = "http://127.0.0.1:9/response/unused"


def aim_at(body: bytes, api_url: str) -> bytes:
    """`body` with the unused placeholder response URL moved onto the fake at `api_url`."""
    base = api_url.rstrip("/").removesuffix("/api")
    old = quote(UNUSED_RESPONSE_URL, safe="").encode()
    new = quote(f"{base}/response/unused", safe="").encode()
    return body.replace(old, new)


def sign(secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """Return the ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` headers for ``body``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    basestring = b"v0:" + str(ts).encode("ascii") + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), basestring, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(
    secret: str,
    body: bytes | str,
    timestamp: int | None = None,
    content_type: str = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """``sign()`` plus the Content-Type Slack sends (form-encoded for commands/interactivity)."""
    return {"Content-Type": content_type, **sign(secret, body, timestamp)}


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's: ``"<digits>.<digits>.<hex>"``."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def slash_command_payload(
    text: str,
    *,
    command: str = "/capacity",
    user_id: str = "U1",
    user_name: str = "tester",
    channel_id: str = "C1",
    channel_name: str = "general",
    team_id: str = "T1",
    team_domain: str = "fake",
    response_url: str = UNUSED_RESPONSE_URL,
    trigger_id: str | None = None,
    api_app_id: str = "A0FAKE",
) -> dict[str, str]:
    """The fields of a slash command request, as a dict (also the Socket Mode payload)."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command_body(
    text: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    response_url: str = UNUSED_RESPONSE_URL,
    trigger_id: str | None = None,
    **fields: Any,
) -> bytes:
    """A form-encoded slash command body, as Slack POSTs it to the Request URL."""
    payload = slash_command_payload(
        text,
        user_id=user_id,
        channel_id=channel_id,
        response_url=response_url,
        trigger_id=trigger_id,
        **fields,
    )
    return urlencode(payload).encode("utf-8")


def interactivity_body(payload: dict[str, Any]) -> bytes:
    """A form-encoded interactivity body: ``payload=<url-encoded JSON>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode("utf-8")


def event_body(event: dict[str, Any], *, team_id: str = "T1", api_app_id: str = "A0FAKE") -> bytes:
    """A JSON Events API ``event_callback`` body."""
    envelope = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(time.time()),
    }
    return json.dumps(envelope).encode("utf-8")
