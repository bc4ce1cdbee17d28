"""Samples: atomic batches, latest/window reads, hourly rollups and pruning."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.monitor import Sample
from store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def s(metric: str, minutes: float, value: float) -> Sample:
    return Sample(metric=metric, at=T0 + timedelta(minutes=minutes), value=value)


def test_batch_is_stored_and_read_back(store: Store) -> None:
    assert store.metrics.add_batch([s("mau", 0, 1), s("mau", 1, 2), s("cpu_pct", 1, 50)]) == 3
    latest = store.metrics.latest("mau")
    assert latest is not None and latest.value == 2 and latest.at == T0 + timedelta(minutes=1)
    window = store.metrics.window("mau", T0, T0 + timedelta(minutes=1))
    assert [x.value for x in window] == [1, 2]
    assert store.metrics.latest("nothing") is None


def test_a_batch_with_a_bad_sample_stores_nothing(store: Store) -> None:
    bad = Sample.model_construct(metric="mau", at=T0, value=math.nan)
    with pytest.raises(ValueError):
        store.metrics.add_batch([s("mau", 0, 1), bad])
    assert store.metrics.count() == 0


def test_resending_a_sample_replaces_it(store: Store) -> None:
    store.metrics.add_batch([s("mau", 0, 1)])
    store.metrics.add_batch([s("mau", 0, 5)])
    assert store.metrics.count() == 1
    assert store.metrics.latest("mau").value == 5  # type: ignore[union-attr]


def test_rollup_keeps_hourly_aggregates_and_prunes_raw(store: Store) -> None:
    # Three days of one-minute samples, value = minute of the hour.
    store.metrics.add_batch([s("cpu_pct", m, m % 60) for m in range(3 * 24 * 60)])
    now = T0 + timedelta(days=3)
    rolled, pruned = store.metrics.rollup_and_prune(now, retention=timedelta(days=1))
    assert rolled == 72
    assert pruned == 2 * 24 * 60
    hours = store.metrics.rollups("cpu_pct", T0, now)
    assert len(hours) == 72
    first = hours[0]
    assert (first.min, first.max, first.count, first.last) == (0, 59, 60, 59)
    assert first.mean == pytest.approx(29.5)
    assert store.metrics.count() == 24 * 60
    assert store.metrics.window("cpu_pct", T0, T0 + timedelta(days=2) - timedelta(minutes=1)) == []


def test_rollup_and_prune_is_idempotent(store: Store) -> None:
    store.metrics.add_batch([s("mau", m, m) for m in range(0, 6 * 60, 5)])
    now = T0 + timedelta(hours=6, minutes=30)
    store.metrics.rollup_and_prune(now, retention=timedelta(hours=3))
    first = store.metrics.rollups("mau", T0, now)
    count = store.metrics.count()
    store.metrics.rollup_and_prune(now, retention=timedelta(hours=3))
    assert store.metrics.rollups("mau", T0, now) == first
    assert store.metrics.count() == count
    assert len(first) == 6 and all(r.count == 12 for r in first)


def test_a_late_sample_older_than_a_day_is_rolled_up_before_it_is_pruned(store: Store) -> None:
    store.metrics.add_batch([s("mau", m, 10) for m in range(0, 60, 10)])  # hour 0
    store.metrics.rollup_and_prune(T0 + timedelta(hours=1), retention=timedelta(days=30))
    now = T0 + timedelta(days=5)
    store.metrics.rollup_and_prune(now, retention=timedelta(days=30))
    # Backfilled three days later for hour 12 of the first day, four days old by now.
    late = T0 + timedelta(hours=12)
    store.metrics.add_batch([Sample(metric="mau", at=late, value=7)])
    store.metrics.rollup_and_prune(now + timedelta(hours=1), retention=timedelta(days=30))
    hours = store.metrics.rollups("mau", late, late)
    assert [(r.hour, r.count, r.mean, r.last) for r in hours] == [(late, 1, 7, 7)]


def test_a_late_sample_in_an_already_pruned_hour_is_merged_not_recomputed(store: Store) -> None:
    store.metrics.add_batch([s("mau", m, 10) for m in range(0, 60, 10)])  # 6 samples, hour 0
    now = T0 + timedelta(days=3)
    store.metrics.rollup_and_prune(now, retention=timedelta(days=1))  # hour 0 pruned
    assert store.metrics.window("mau", T0, T0 + timedelta(hours=1)) == []
    store.metrics.add_batch([s("mau", 5, 40), s("mau", 15, 0)])
    store.metrics.rollup_and_prune(now, retention=timedelta(days=1))
    store.metrics.rollup_and_prune(now, retention=timedelta(days=1))  # merged once only
    (hour,) = store.metrics.rollups("mau", T0, T0)
    assert (hour.count, hour.min, hour.max, hour.last) == (8, 0, 40, 10)
    assert hour.mean == pytest.approx(100 / 8)
    assert store.metrics.count() == 0


def test_source_status_keeps_last_success(store: Store) -> None:
    store.metrics.record_source("prometheus", T0)
    store.metrics.record_source("prometheus", T0 + timedelta(minutes=1), error="refused")
    (status,) = store.metrics.sources()
    assert not status.ok and status.error == "refused" and status.last_ok_at == T0


def test_migrating_twice_is_a_noop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.db"
    Store(path).metrics.add_batch([s("mau", 0, 1)])
    assert Store(path).metrics.count() == 1


def test_hourly_means_keep_the_trend_of_minute_samples() -> None:
    from bot.monitor import fit

    store = Store()
    start = T0 - timedelta(days=2)
    rows = [
        ("mau", (start + timedelta(minutes=m)).timestamp(), 1000 + m * 0.5)
        for m in range(2 * 24 * 60)
    ]
    store.metrics.add_rows(rows)
    points = store.metrics.hourly_means("mau", start, T0)
    assert len(points) == 48
    raw = fit(store.metrics.window("mau", start, T0), T0)
    hourly = fit(points, T0)
    assert raw is not None and hourly is not None
    assert hourly.per_week == pytest.approx(raw.per_week, rel=1e-6)


def test_a_database_from_before_skipped_samples_opens_with_its_sources(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Store(path)
    old.metrics.record_source("prometheus", T0, "down")
    # As the schema stood before m003: no `skipped` column, the migration not yet applied.
    old.db.execute("ALTER TABLE metric_sources DROP COLUMN skipped")
    old.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_source_skipped'")
    old.db.conn.commit()
    old.close()
    store = Store(path)
    try:
        (source,) = store.metrics.sources()
        assert source.error == "down" and source.skipped is None
        store.metrics.record_source("prometheus", T0, None, "cpu_pct: 150% is above 100%")
        assert store.metrics.sources()[0].skipped == "cpu_pct: 150% is above 100%"
    finally:
        store.close()
