"""Bill import figures for docs/PERFORMANCE.md: `python bench/bench_costs.py`.

100,000 FOCUS rows (a month of hourly usage for a small account, tags on every row)
imported end to end (`capacity-bot import-costs`'s path: read, check, store in one
transaction into a file database), against the floor measured beside it in the same run:
`csv.reader` over the same bytes and a bare sqlite3 `executemany` of as many rows.
Figures are medians of 3 runs.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.bill_bytes import Hashed, body_lines
from bot.domain.bill_read import read_bill
from bot.planio.planfile import default_plan
from store import Store

ROWS = 100_000
RUNS = 3
HEADER = (
    "BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,"
    "ChargeClass,ChargeFrequency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,"
    "ProviderName,ServiceName,ServiceCategory,ResourceId,Tags,ChargeDescription\n"
)
SERVICES = (("Amazon EC2", "Compute"), ("Amazon RDS", "Databases"), ("Amazon S3", "Storage"))


def focus_file() -> bytes:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    out = io.StringIO()
    out.write(HEADER)
    for i in range(ROWS):
        hour = start + timedelta(hours=i % 744)
        service, category = SERVICES[i % 3]
        out.write(
            f"111122223333,USD,2026-12-01T00:00:00Z,2027-01-01T00:00:00Z,Usage,,Usage-Based,"
            f"{hour:%Y-%m-%dT%H:%M:%SZ},{hour + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ},"
            f"0.0{i % 97:02d},0.0{i % 89:02d},AWS,{service},{category},res-{i % 400},"
            f'"{{""team"": ""t{i % 7}"", ""env"": ""prod""}}",hourly usage\n'
        )
    return out.getvalue().encode()


def import_once(data: bytes, db: Path) -> float:
    store = Store(db)
    try:
        begin = time.perf_counter()
        lines = Hashed(body_lines(data, 1 << 30))
        bill = read_bill(lines, default_plan())
        store.costs.import_bill(bill.kind, bill.lines, "bench", lines.digest, datetime.now(UTC))
        elapsed = time.perf_counter() - begin
        assert store.db.execute("SELECT COUNT(*) FROM cost_lines").fetchone()[0] == ROWS
        return elapsed
    finally:
        store.close()


def floor_once(data: bytes, db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q)")
    begin = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode())))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (" + ",".join("?" * 17) + ")", rows[1:])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - begin
    conn.close()
    return elapsed


def main() -> None:
    data = focus_file()
    ours, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            floor.append(floor_once(data, Path(tmp, f"floor{run}.db")))
            ours.append(import_once(data, Path(tmp, f"ours{run}.db")))
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"{ROWS:,} FOCUS rows ({len(data) / 1e6:.1f} MB)")
    print(f"import-costs path: {a:.2f} s  ({ROWS / a:,.0f} rows/s)")
    print(f"floor (csv.reader + executemany): {b:.2f} s")
    print(f"ratio: {a / b:.1f}x the floor")


if __name__ == "__main__":
    main()
