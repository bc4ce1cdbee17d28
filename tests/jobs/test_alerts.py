"""start_jobs wires the interval jobs into an AsyncIOScheduler; health detail never raises."""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.alerts import metrics_health, start_jobs
from tests.support.metrics_helpers import Clock, make_deps


class NullPoster:
    async def post(self, *args: Any, **kwargs: Any) -> tuple[str, str]:
        raise AssertionError("nothing is due")

    async def update(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("nothing is due")


async def test_start_jobs_adds_every_interval_job() -> None:
    deps = make_deps(Clock())
    scheduler = AsyncIOScheduler()
    start_jobs(deps, NullPoster(), scheduler)
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {"metrics.evaluate", "metrics.outbox", "metrics.rollup", "store.probe"}


async def test_prometheus_job_with_a_url_even_before_any_metric_has_a_query() -> None:
    # A reload may add the first `query` later; the job reads the live plan at each run.
    deps = make_deps(Clock(), prometheus_url="http://127.0.0.1:9")
    assert not any(m.query for m in deps.plan.metrics)
    scheduler = AsyncIOScheduler()
    start_jobs(deps, NullPoster(), scheduler)
    assert "metrics.prometheus" in {job.id for job in scheduler.get_jobs()}


def test_health_detail_reports_outbox_and_sources() -> None:
    deps = make_deps(Clock())
    assert metrics_health(deps) == {"ok": True, "outbox": {}, "sources": {}}
