"""A fake Slack (Web API, response_url, Socket Mode) for tests, on 127.0.0.1."""

from tests.fakeslack.blockkit import validate_blocks, validate_view
from tests.fakeslack.server import (
    Call,
    Ephemeral,
    FakeSlack,
    Message,
    ResponsePost,
    UploadedFile,
    View,
)
from tests.fakeslack.signing import (
    UNUSED_RESPONSE_URL,
    aim_at,
    event_body,
    interactivity_body,
    new_trigger_id,
    sign,
    signed_headers,
    slash_command_body,
    slash_command_payload,
)

__all__ = [
    "UNUSED_RESPONSE_URL",
    "Call",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "ResponsePost",
    "UploadedFile",
    "View",
    "aim_at",
    "event_body",
    "interactivity_body",
    "new_trigger_id",
    "sign",
    "signed_headers",
    "slash_command_body",
    "slash_command_payload",
    "validate_blocks",
    "validate_view",
]
