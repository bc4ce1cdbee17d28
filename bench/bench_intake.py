"""The verify-first intake beside Bolt's own request handling, in-process, same run.

    python bench/bench_intake.py

Per request: ours = signature on the raw bytes + decode by Content-Type + ParsedRequest;
Bolt's = AsyncBoltRequest from the text (its parse_body) + its SignatureVerifier. Both for
a slash command and an interactivity payload. Prints microseconds per request and the
ratio ours/Bolt's. No network.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt.request.async_request import AsyncBoltRequest  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.slack.intake import ParsedRequest, decode_body, signature_problem  # noqa: E402
from tests.fakeslack import interactivity_body, sign, slash_command_body  # noqa: E402

SECRET = "bench-secret"
FORM = "application/x-www-form-urlencoded"
ROUNDS = 20_000


def ours(body: bytes, headers: dict[str, str], now: float) -> None:
    assert signature_problem(headers, body, SECRET, now) is None
    ParsedRequest(payload=decode_body(body, FORM), headers=headers)


def bolts(body: bytes, headers: dict[str, str], verifier: SignatureVerifier) -> None:
    text = body.decode()
    request = AsyncBoltRequest(body=text, headers=headers)
    stamp = request.headers["x-slack-request-timestamp"][0]
    signature = request.headers["x-slack-signature"][0]
    assert verifier.is_valid(text, stamp, signature)


def per_request(fn: object, *args: object) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - started) / ROUNDS * 1e6


def main() -> None:
    verifier = SignatureVerifier(SECRET)
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "actions": [{"action_id": "capacity_share", "value": "tier 2"}],
        "response_url": "https://hooks.slack.com/actions/T1/1/x",
    }
    cases = {
        "slash command": slash_command_body("tier 2"),
        "interactivity": interactivity_body(json.loads(json.dumps(click))),
    }
    print(f"{'request':<16}{'ours us':>10}{'Bolt us':>10}{'ratio':>8}")
    for name, body in cases.items():
        headers = {"Content-Type": FORM, **sign(SECRET, body)}
        now = time.time()
        mine = min(per_request(ours, body, headers, now) for _ in range(3))
        theirs = min(per_request(bolts, body, headers, verifier) for _ in range(3))
        print(f"{name:<16}{mine:>10.1f}{theirs:>10.1f}{mine / theirs:>8.2f}")


if __name__ == "__main__":
    main()
