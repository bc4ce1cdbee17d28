"""`capacity-bot import-costs FILE`: a bill into the cost store, whole or not at all."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.core.config import Settings
from bot.deps import build_deps
from bot.domain.bill_bytes import GZIP_MAGIC, Hashed
from bot.domain.bill_read import import_summary, read_bill
from bot.domain.bills import BillRefused
from bot.domain.cost_plan import plan_currency

__all__ = ["import_costs_file"]


def _open(path: Path) -> BinaryIO:
    raw = path.open("rb")
    if raw.read(2) == GZIP_MAGIC:
        raw.close()
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    raw.seek(0)
    return raw


def import_costs_file(
    path: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """0 when stored (or already stored); 1 when refused: every bad line named, nothing written."""
    source = Path(path)
    deps = build_deps(settings)
    try:
        plan = deps.plan
        try:
            with _open(source) as stream:
                lines = Hashed(stream)
                bill = read_bill(lines, plan)
        except BillRefused as exc:
            err.write(f"{source}: refused; nothing was imported\n")
            for problem in exc.problems:
                err.write(f"  {problem}\n")
            err.write(f"expected {exc.example}\n")
            return 1
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            err.write(f"{source}: cannot read: {exc}\n")
            return 1
        result = deps.store.costs.import_bill(
            bill.kind, bill.lines, source.name, lines.digest, deps.clock()
        )
    finally:
        deps.close()
    when = result.at if result.duplicate else None
    summary = import_summary(
        str(source),
        bill.kind,
        result.lines,
        result.total,
        result.replaced,
        when,
        plan_currency(plan),
    )
    out.write(summary + "\n")
    return 0
