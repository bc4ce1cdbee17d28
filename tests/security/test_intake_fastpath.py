"""The intake's faster paths decide exactly what the standard library's would."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.intake import MAX_FIELDS, DecodeError, decode_body, signature_problem

FORM = "application/x-www-form-urlencoded"
# Form text as Slack (or anyone) may send it: separators, escapes, pluses, any letters.
PIECES = st.sampled_from(
    ["&", "=", "+", "%", "%2", "%20", "%3D", "%26", "%E2%9C%93", "%ZZ", "a", "é"]
)
FORM_TEXT = st.lists(PIECES | st.text(max_size=4), max_size=40).map("".join)


@settings(max_examples=1500, deadline=None)
@given(FORM_TEXT)
def test_form_fields_are_parse_qsl_s(text: str) -> None:
    body = text + "&command=/capacity"  # last, so it is the command whatever text holds
    try:
        expected = dict(parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except ValueError:
        with pytest.raises(DecodeError):
            decode_body(body.encode(), FORM)
        return
    assert decode_body(body.encode(), FORM) == expected


def test_too_many_fields_is_refused_as_before() -> None:
    text = "command=/capacity" + "&a=1" * MAX_FIELDS
    with pytest.raises(ValueError):
        parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    with pytest.raises(DecodeError, match="too many form fields"):
        decode_body(text.encode(), FORM)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.text(min_size=1, max_size=20))
def test_the_reused_key_signs_as_a_fresh_hmac(raw: bytes, secret: str) -> None:
    stamp = "1700000000"
    good = (
        "v0="
        + hmac.new(
            secret.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256
        ).hexdigest()
    )
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": good}
    # Twice: the kept key object must not carry one request's bytes into the next.
    for _ in range(2):
        assert signature_problem(headers, raw, secret, 1700000000.0) is None
    forged = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
    assert signature_problem(forged, raw, secret, 1700000000.0) == "bad signature"
