"""The recorded built tier: newest wins, kept in the file, added to an old database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.monitoring import Sample
from store import Store, alerts, metrics, outbox
from store.changes import MIGRATIONS as CHANGES
from store.db import open_database
from store.digests import MIGRATIONS as DIGESTS
from store.metrics import MetricStore
from store.tiers import MIGRATIONS

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_newest_record_wins_and_marks_are_kept() -> None:
    s = Store()
    assert s.tiers.built() is None and s.tiers.built_tier() is None
    s.tiers.record_built(1, "U1", NOW)
    s.tiers.record_built(2, "U2", NOW + timedelta(days=3))
    record = s.tiers.built()
    assert record is not None and (record.tier, record.by) == (2, "U2")
    assert s.tiers.mark("built") is None
    s.tiers.set_mark("built", 2)
    assert s.tiers.mark("built") == 2


def test_a_database_from_before_the_built_tier_opens_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    previous = [CHANGES, DIGESTS, metrics.MIGRATIONS, alerts.MIGRATIONS, outbox.MIGRATIONS]
    db = open_database(path, previous)
    MetricStore(db).add_batch([Sample(metric="mau", at=NOW, value=900)])
    assert "built_tiers" not in db.table_names()
    db.conn.close()

    s = Store(path)
    assert [m.name for m in MIGRATIONS.applied(s.db)] == ["m001_built_tiers"]
    kept = s.metrics.latest("mau")
    assert kept is not None and kept.value == 900 and s.tiers.built() is None
    s.tiers.record_built(1, "U1", NOW)
    s.close()
    again = Store(path)
    assert again.tiers.built_tier() == 1
    assert MIGRATIONS.pending(again.db) == []
    again.close()
