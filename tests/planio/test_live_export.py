"""The exported document carries live figures: latest samples, the stored change log, today."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.changes import ChangeDraft
from bot.domain.monitoring import Sample
from bot.planio.doc_write import export_document
from bot.planio.document import import_document
from bot.planio.live import live_figures
from bot.planio.planfile import default_plan
from store import Store
from tests.conftest import NOW


def test_latest_samples_and_the_stored_log_are_in_the_document_but_not_in_the_plan() -> None:
    store = Store(":memory:")
    try:
        store.metrics.add_batch(
            [
                Sample(metric="mau", at=NOW - timedelta(hours=2), value=700),
                Sample(metric="mau", at=NOW - timedelta(minutes=5), value=850),
                Sample(metric="cpu_pct", at=NOW - timedelta(minutes=5), value=61.5),
            ]
        )
        draft = ChangeDraft(
            date=date(2026, 11, 20), change="Added PgBouncer", reason="connections", impact="+$12"
        )
        store.changes.add(draft, "U1", None, "k1", NOW)
        store.tiers.record_built(1, "U1", NOW)
        live = live_figures(default_plan(), store, NOW)
    finally:
        store.close()
    document = export_document(default_plan(), live)
    assert "**Last Updated**: 2026-11-27" in document
    assert "- Monthly active users: 850 users (2026-11-27 09:55 UTC)" in document
    assert "- API CPU utilisation: 61.5% (2026-11-27 09:55 UTC)" in document
    assert "| 2026-11-20 | Added PgBouncer | connections | +$12 |" in document
    assert "built_tier: 1" in document  # a live figure, in the appendix; not plan
    imported = import_document(document).plan
    assert imported.baseline == default_plan().baseline  # 850 MAU is a measurement
    assert [e.change for e in imported.change_log] == ["Added PgBouncer"]
    assert imported.last_updated == "2026-11-27"
    same = imported.model_copy(
        update={"change_log": default_plan().change_log, "last_updated": "2025-10-10"}
    )
    assert same == default_plan()
