"""Spreading never creates or loses money: any split of time into windows sums to the
bills' total, whatever the charge periods."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.bills import CostLine
from store import Store

T0 = datetime(2026, 10, 1, tzinfo=UTC)
DAY = 86400.0

lines = st.lists(
    st.tuples(
        st.integers(0, 90),  # first day
        st.integers(1, 45),  # days in the charge period
        st.integers(-50_000, 500_000),  # cents
        st.booleans(),  # kept whole
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(lines, st.lists(st.integers(1, 150), min_size=1, max_size=5))
def test_windows_add_up_to_the_total(
    spec: list[tuple[int, int, int, bool]], cuts: list[int]
) -> None:
    store = Store(":memory:")
    try:
        start = T0.timestamp()
        bill = [
            CostLine(
                start + day * DAY,
                start + (day + days) * DAY,
                whole,
                cents / 100,
                "Usage",
                n,
                account="a",
                period="2026-10-01",
            )
            for n, (day, days, cents, whole) in enumerate(spec, start=2)
        ]
        store.costs.import_bill("focus", bill, "f", "d", T0)
        edges = [T0, *(T0 + timedelta(days=c) for c in sorted(set(cuts))), T0 + timedelta(days=200)]
        parts = sum(s.amount for a, b in itertools.pairwise(edges) for s in store.costs.sums(a, b))
        assert round(parts, 6) == round(sum(c / 100 for _, _, c, _ in spec), 6)
    finally:
        store.close()
