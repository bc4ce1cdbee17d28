from __future__ import annotations

# The digest job's tests run on the same seeded week as the builder's.
from tests.digest.conftest import make_daily, seeded

__all__ = ["make_daily", "seeded"]
