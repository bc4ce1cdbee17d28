"""A plan in euros takes bills in euros, refuses dollars, and every figure prints €."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import build_router
from bot.domain.bill_read import import_summary
from bot.domain.bills import BillRefused
from bot.render.text import render_text
from tests.costs.conftest import DATA, costed_plan, deps_for
from tests.costs.test_bill_import import FOCUS, load
from tests.support.metrics_helpers import Clock

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_a_euro_plan_takes_euro_bills_and_answers_in_euros() -> None:
    plan = costed_plan().model_copy(update={"currency": "EUR"})
    deps = deps_for(plan, Clock(NOW))
    try:
        load(deps.store, plan, (DATA / "focus-euro.csv").read_bytes())
        with pytest.raises(BillRefused) as caught:
            load(deps.store, plan, FOCUS)
        text = render_text(build_router().dispatch("spend", deps.context("U1")))
    finally:
        deps.close()
    assert (
        "BillingCurrency is USD (7 rows), but the plan's currency is EUR"
        in (caught.value.problems[0])
    )
    # API: EC2 30 - credit 5 - adjustment 1.50 = 23.50, plus (30 - 5) / 3 a day for 28 days.
    assert "API                      €15        €23.50   €256.83" in text, text
    assert "$" not in text.split("Cost per user")[0]
    assert (
        import_summary("x", "focus", 7, 99.5, 0, None, "EUR")
        == "x: FOCUS export, 7 line(s), €99.50"
    )
