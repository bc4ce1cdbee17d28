"""The loop-lag monitor: worst lag of the last minute, a histogram, one log line a stall."""

from __future__ import annotations

import asyncio
import logging
import threading

from prometheus_client import CollectorRegistry, generate_latest

from bot.jobs.loop_lag import LAG_BUCKETS, LagCollector, LoopLag

WAIT = 10.0  # a bound, not a timing


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_healthz_figure_is_the_worst_lag_of_the_last_minute() -> None:
    clock = Clock()
    lag = LoopLag(clock=clock)
    lag.observe(0.002)
    clock.now += 10
    lag.observe(0.8)
    clock.now += 10
    lag.observe(0.004)
    assert lag.health()["lag_worst_ms"] == 800.0
    clock.now += 55  # the 0.8 s stall is now 65 s old
    assert lag.worst() == 0.004
    clock.now += 60
    assert lag.worst() == 0.0


def test_every_measurement_lands_in_one_bucket_and_reaches_the_observers() -> None:
    seen: list[float] = []
    lag = LoopLag(clock=Clock())
    lag.observers.append(seen.append)
    for value in (0.001, 0.03, 7.0):
        lag.observe(value)
    assert seen == [0.001, 0.03, 7.0]
    assert sum(lag.buckets) == lag.count == 3
    assert lag.buckets[0] == 1  # <= 5 ms
    assert lag.buckets[LAG_BUCKETS.index(0.05)] == 1
    assert lag.buckets[-1] == 1  # over the largest bound
    assert abs(lag.total - 7.031) < 1e-9
    buckets, total, count = lag.histogram()
    assert buckets[0] == (0.005, 1) and buckets[-1] == (float("inf"), 3)
    assert [n for _, n in buckets] == sorted(n for _, n in buckets)  # cumulative
    assert total == lag.total and count == 3


def test_metrics_show_the_lag_as_a_histogram() -> None:
    lag = LoopLag(clock=Clock())
    for value in (0.001, 0.03, 7.0):
        lag.observe(value)
    registry = CollectorRegistry()
    registry.register(LagCollector(lag))
    text = generate_latest(registry).decode()
    assert 'capacity_bot_loop_lag_seconds_bucket{le="0.005"} 1.0' in text
    assert 'capacity_bot_loop_lag_seconds_bucket{le="0.05"} 2.0' in text
    assert 'capacity_bot_loop_lag_seconds_bucket{le="+Inf"} 3.0' in text
    assert "capacity_bot_loop_lag_seconds_count 3.0" in text


class _Flag(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.logged = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.logged.set()


def hold_the_loop(flag: _Flag) -> bool:
    """Blocks the loop's thread, as slow synchronous work would, until the watchdog spoke."""
    return flag.logged.wait(WAIT)


async def test_a_stall_is_logged_once_with_what_was_running() -> None:
    flag = _Flag()
    logger = logging.getLogger("capacity_bot.loop")
    logger.addHandler(flag)
    lag = LoopLag(interval=0.01, threshold=0.05)
    lag.start()
    try:
        await asyncio.sleep(0)  # let the measuring task take its first step

        async def slow_job() -> bool:
            return hold_the_loop(flag)

        assert await asyncio.create_task(slow_job(), name="rollup-job")
    finally:
        await lag.stop()
        logger.removeHandler(flag)
    assert len(flag.records) == 1 and lag.stalls == 1
    message = flag.records[0].getMessage()
    assert "event loop blocked" in message
    assert "rollup-job" in message and "hold_the_loop" in message
