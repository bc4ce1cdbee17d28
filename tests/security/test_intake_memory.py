"""The intake's memories are bounded (capacity) and drop what is past its ttl, so a bot
that went idle after a burst of requests holds none of them."""

from __future__ import annotations

import gc
import random
import tracemalloc

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


def test_seen_keys_are_kept_in_flat_arrays_not_as_objects() -> None:
    """A burst's keys must not become thousands of small Python objects: those would pin
    the allocator's arenas after the burst (docs/PERFORMANCE.md, memory)."""
    clock = Clock()
    seen = SeenKeys(ttl=360, capacity=50_000, clock=clock)
    rng = random.Random(7)
    keys = [rng.getrandbits(64) for _ in range(20_000)]  # made before counting
    gc.collect()
    tracemalloc.start()
    try:
        before = len(tracemalloc.take_snapshot().traces)
        for key in keys:
            seen.seen_or_add(key)
        gc.collect()
        after = len(tracemalloc.take_snapshot().traces)
    finally:
        tracemalloc.stop()
    assert len(seen) == 20_000
    assert after - before < 100  # a few arrays, not one object (or three) per key
    assert all(seen.seen_or_add(key) for key in keys[::1000])


def test_seen_keys_arrays_are_bounded_and_given_back_when_empty() -> None:
    clock = Clock()
    seen = SeenKeys(ttl=360, capacity=1000, clock=clock)
    assert seen.nbytes == 0 and seen.max_slots == 2048  # 2 x capacity, a power of two
    for i in range(20_000):
        seen.seen_or_add(f"Ev{i}")  # event ids: strings
        clock.now += 0.001
    assert len(seen) == 1000
    # the table, and the queue of keys and times until its front is compacted away
    assert seen.nbytes <= 8 * seen.max_slots + 16 * (2 * 1000 + 1024) * 1.2
    assert seen.seen_or_add("Ev19999") is True and seen.seen_or_add("Ev0") is False
    clock.now += 361
    seen.prune()
    assert len(seen) == 0 and seen.nbytes == 0


def test_seen_keys_agree_with_a_plain_dict_through_drops() -> None:
    """The open-addressing table (deletions shift keys back) answers as a dict would."""
    clock = Clock()
    seen = SeenKeys(ttl=50, capacity=300, clock=clock)
    reference: dict[int, float] = {}
    rng = random.Random(3)
    for _ in range(30_000):
        clock.now += rng.random() * 0.2
        for key, at in list(reference.items()):
            if clock.now - at > 50:
                del reference[key]
        while len(reference) >= 300:
            del reference[next(iter(reference))]
        key = rng.randrange(2_000) if rng.random() < 0.6 else rng.getrandbits(64)
        expected = key in reference
        if not expected:
            reference[key] = clock.now
        assert seen.seen_or_add(key) is expected
        assert len(seen) == len(reference)
