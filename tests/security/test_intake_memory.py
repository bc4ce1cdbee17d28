"""The intake's memories are bounded (capacity) and drop what is past its ttl, so a bot
that went idle after a burst of requests holds none of them."""

from __future__ import annotations

from bot.slack.intake import replay_key
from bot.slack.memo import SeenKeys


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_seen_keys_keep_at_most_their_capacity_and_prune_what_expired() -> None:
    clock = Clock()
    seen = SeenKeys(ttl=360, capacity=1000, clock=clock)
    for i in range(5000):
        assert seen.seen_or_add(i) is False
    assert len(seen) <= 1000
    assert seen.seen_or_add(4999) is True  # a replay within the ttl is caught
    held = len(seen)
    clock.now += 361
    assert seen.prune() == held and len(seen) == 0
    assert seen.seen_or_add(4999) is False


def test_a_replay_key_is_one_int_of_the_hmac() -> None:
    signature = "v0=" + "ab" * 32
    assert replay_key(signature) == int("ab" * 8, 16)
    assert replay_key(signature) != replay_key("v0=" + "cd" * 32)
