"""The rollup in short transactions: a large backfill, and writes that land between them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.monitoring import Sample
from store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_backfill_is_rolled_up_in_many_short_transactions_with_pauses() -> None:
    store = Store()
    days = 20
    store.metrics.add_rows(
        [
            (metric, (T0 + timedelta(minutes=m)).timestamp(), float(m % 60))
            for metric in ("mau", "cpu_pct")
            for m in range(days * 24 * 60)
        ]
    )
    pauses: list[float] = []
    now = T0 + timedelta(days=days)
    rolled, pruned = store.metrics.rollup_and_prune(
        now, retention=timedelta(days=2), pause=pauses.append
    )
    assert rolled == 2 * days * 24
    assert pruned == 2 * (days - 2) * 24 * 60
    assert len(pauses) > 2  # one after every transaction: other writers get the lock
    assert all(0 <= p <= 0.02 for p in pauses)
    hours = store.metrics.rollups("cpu_pct", T0, now)
    assert len(hours) == days * 24 and all(h.count == 60 and h.last == 59 for h in hours)


def test_a_sample_written_while_the_rollup_runs_is_rolled_up_next_time() -> None:
    store = Store()
    store.metrics.add_batch(
        [Sample(metric="mau", at=T0 + timedelta(minutes=m), value=10) for m in range(0, 180, 10)]
    )
    late = T0 + timedelta(minutes=30)  # in hour 0, which the first span has rolled up

    def write_meanwhile(seconds: float) -> None:
        if store.metrics.latest("mau") is not None and not written:
            written.append(True)
            store.metrics.add_batch(
                [Sample(metric="mau", at=late + timedelta(seconds=1), value=70)]
            )

    written: list[bool] = []
    now = T0 + timedelta(hours=3)
    store.metrics.rollup_and_prune(now, retention=timedelta(days=30), pause=write_meanwhile)
    assert written
    store.metrics.rollup_and_prune(now, retention=timedelta(days=30))
    (hour,) = store.metrics.rollups("mau", T0, T0)
    assert (hour.count, hour.max) == (7, 70)
