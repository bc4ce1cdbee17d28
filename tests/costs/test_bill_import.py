"""Bills into the cost store: FOCUS and plain CSV, every charge category, restatement,
re-import, and files refused whole. Totals are worked out by hand in each test."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from bot.domain.bill_bytes import Hashed, body_lines
from bot.domain.bill_read import read_bill
from bot.domain.bills import BillRefused
from bot.domain.plan import Plan
from store import Store
from store.costs import CostSum
from tests.costs.conftest import DATA, costed_plan

DEC = datetime(2026, 12, 1, tzinfo=UTC)
JAN = datetime(2027, 1, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def load(store: Store, plan: Plan, data: bytes, name: str = "file") -> tuple[str, int, bool]:
    lines = Hashed(body_lines(data, 10**8))
    bill = read_bill(lines, plan)
    result = store.costs.import_bill(bill.kind, bill.lines, name, lines.digest, NOW)
    return bill.kind, result.lines, result.duplicate


def total(store: Store, start: datetime = DEC, end: datetime = JAN) -> float:
    return round(sum(s.amount for s in store.costs.sums(start, end)), 6)


def refusal(plan: Plan, data: bytes) -> list[str]:
    with pytest.raises(BillRefused) as caught:
        read_bill(body_lines(data, 10**8), plan)
    return caught.value.problems


FOCUS = (DATA / "focus-december.csv").read_bytes()
PLAIN = (DATA / "plain-saas.csv").read_bytes()


def test_every_charge_category_is_summed_with_its_own_sign(costs_store: Store, plan: Plan) -> None:
    assert load(costs_store, plan, FOCUS)[:2] == ("focus", 7)
    # December: usage 30 + 10, purchase 60, tax 4, credit -5 (already negative), adjustment
    # -1.5 = 97.5; the November correction (2.00) counts in November, the period it corrects.
    assert total(costs_store) == 97.5
    assert total(costs_store, NOV, DEC) == 2.0


def test_usage_spreads_over_its_days_and_a_purchase_stays_whole(
    costs_store: Store, plan: Plan
) -> None:
    load(costs_store, plan, FOCUS)
    day2 = datetime(2026, 12, 2, tzinfo=UTC)
    # Dec 1 alone: EC2 30/3 = 10, RDS 10 (one day), tax 4/3, credit -5 (one day), and the
    # 60 reserved-instance fee whole on the day its charge period starts.
    assert round(total(costs_store, DEC, day2), 6) == round(10 + 10 + 4 / 3 - 5 + 60, 6)
    # Dec 2: EC2 10, tax 4/3, adjustment -1.5 (one-time, whole).
    day3 = datetime(2026, 12, 3, tzinfo=UTC)
    assert round(total(costs_store, day2, day3), 6) == round(10 + 4 / 3 - 1.5, 6)


def test_effective_cost_is_read_when_the_plan_says_so(costs_store: Store) -> None:
    load(costs_store, costed_plan(amount="EffectiveCost"), FOCUS)
    # 27 + 10 + 0 (the fee is amortised into usage) + 4 - 5 - 1.5 = 34.5
    assert total(costs_store) == 34.5


def test_tags_are_kept_as_json_and_null_cells_as_absent(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, FOCUS)
    sums = costs_store.costs.sums(DEC, JAN)
    ec2 = [s for s in sums if s.resource == "i-0abc"]
    assert ec2 and ec2[0].tags == '{"component": "api", "env": "prod"}'
    tax = [s for s in sums if s.amount == pytest.approx(4.0)]
    assert tax == [CostSum("AWS", "", "", "", "", "", "", False, pytest.approx(4.0))]


def test_the_same_export_imported_again_counts_once(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, FOCUS)
    load(costs_store, plan, FOCUS)
    load(costs_store, plan, gzip.compress(FOCUS))
    assert total(costs_store) == 97.5
    assert total(costs_store, NOV, DEC) == 2.0


def test_a_restated_export_replaces_the_account_and_period_it_covers(
    costs_store: Store, plan: Plan
) -> None:
    load(costs_store, plan, FOCUS)
    # The provider's next month-to-date export: the EC2 usage restated from 30 to 33 and a
    # new day of RDS (12); the rest as before. 97.5 - 30 + 33 + 12 = 112.5
    text = FOCUS.decode()
    restated = text.replace(",30.00,27.00,", ",33.00,30.00,")
    extra = [
        line.replace(",10.00,10.00,", ",12.00,12.00,").replace(
            "2026-12-01T00:00:00Z,2026-12-02T00:00:00Z", "2026-12-02T00:00:00Z,2026-12-03T00:00:00Z"
        )
        for line in text.splitlines()
        if "db-main,NULL" in line
    ]
    load(costs_store, plan, (restated + "\n".join(extra) + "\n").encode())
    assert total(costs_store) == 112.5
    assert total(costs_store, NOV, DEC) == 2.0


def test_another_account_is_not_restated_by_this_one(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, FOCUS)
    other = FOCUS.decode().replace("111122223333", "444455556666").encode()
    load(costs_store, plan, other)
    assert total(costs_store) == 97.5 * 2


def test_a_plain_bill_adds_each_line_and_once_per_file(costs_store: Store, plan: Plan) -> None:
    assert load(costs_store, plan, PLAIN) == ("plain", 5, False)
    # Clerk 25 (the month), Railway 1 + 1 + 1 (two identical lines are two charges),
    # Vercel Blob 0.50 = 28.50
    assert total(costs_store) == 28.5
    assert load(costs_store, plan, PLAIN)[2] is True
    assert load(costs_store, plan, gzip.compress(PLAIN))[2] is True
    assert total(costs_store) == 28.5
    by_vendor = {s.vendor: s for s in costs_store.costs.sums(DEC, JAN) if s.vendor != "Railway"}
    assert by_vendor["Clerk"].whole and by_vendor["Vercel Blob"].component == "Storage"


def test_a_plain_bill_without_a_header_reads_by_position(costs_store: Store, plan: Plan) -> None:
    load(costs_store, plan, b"2026-12-04,Railway,2.25\n2026-12-05,Railway,-0.25,USD,API,refund\n")
    assert total(costs_store) == 2.0


def test_a_wrong_currency_is_refused_with_the_reason(plan: Plan) -> None:
    problems = refusal(plan, (DATA / "focus-euro.csv").read_bytes())
    assert problems == [
        "line 2: BillingCurrency is EUR (7 rows), but the plan's currency is USD: export the"
        " bill in USD (no exchange rate is invented)"
    ]
    plain = refusal(plan, b"date,vendor,amount,currency\n2026-12-01,Railway,3,GBP\n")
    assert plain[0].startswith("line 2: currency GBP is not the plan's currency USD")


def test_every_bad_row_is_named_with_its_line(plan: Plan) -> None:
    lines = FOCUS.decode().splitlines()
    lines[2] = lines[2].replace(",Usage,", ",Refund,")
    lines[4] = lines[4].replace(",4.00,4.00,", ",four,4.00,")
    lines[5] = lines[5].replace("2026-12-01T00:00:00Z,2026-12-02T00:00:00Z", "yesterday,today")
    problems = refusal(plan, "\n".join(lines).encode())
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 5", "line 6"]
    assert (
        "ChargeCategory 'Refund' is not one of Usage, Purchase, Tax, Credit, Adjustment"
        in problems[0]
    )
    assert "'four' is not a number" in problems[1]


def test_columns_are_found_by_name_in_any_order(costs_store: Store, plan: Plan) -> None:
    rows = [line.split(",") for line in FOCUS.decode().splitlines()[:3]]
    # Reverse the first 15 columns (those without quoted commas) and drop the rest.
    kept = [list(reversed(r[:15])) for r in rows]
    load(costs_store, plan, "\n".join(",".join(r) for r in kept).encode())
    assert total(costs_store) == 40.0


def test_a_missing_column_is_named(plan: Plan) -> None:
    text = FOCUS.decode().replace("BillingAccountId", "AccountId", 1)
    assert refusal(plan, text.encode()) == ["line 1: FOCUS columns missing: BillingAccountId"]


def test_plain_component_must_be_one_of_the_plan(plan: Plan) -> None:
    problems = refusal(plan, b"2026-12-01,Railway,3,USD,Billing\n")
    assert problems[0].startswith("line 1: the plan has no component 'Billing' (it has API,")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            FOCUS.replace(b"t3.medium hours", b'=HYPERLINK("http://x")'),
            "ChargeDescription starts with '='",
        ),
        (b"2026-12-01,@SUM(A1),3\n", "vendor starts with '@'"),
        (FOCUS + b"x" * (10 * 1024 * 1024) + b"\n", "a bill line is at most 65,536"),
        (FOCUS.replace(b"Amazon RDS", b"Amazon \xff\xfeRDS"), "not UTF-8"),
        (FOCUS.replace(b",60.00,0.00,", b",1e308,0.00,"), "'1e308' is out of range"),
        (b"2026-12-01,Railway,NaN\n", "'NaN' is not a number"),
        (b"2026-12-01,Railway,1_000\n", "'1_000' is not a number"),
        (FOCUS.replace(b"Amazon RDS", b"Amazon\x00RDS"), "NUL byte"),
    ],
)
def test_a_hostile_file_is_refused_and_writes_nothing(
    costs_store: Store, plan: Plan, body: bytes, why: str
) -> None:
    load(costs_store, plan, PLAIN)
    before = costs_store.db.execute("SELECT COUNT(*) FROM cost_lines").fetchone()[0]
    with pytest.raises(BillRefused) as caught:
        load(costs_store, plan, body)
    assert any(why in p for p in caught.value.problems), caught.value.problems
    assert costs_store.db.execute("SELECT COUNT(*) FROM cost_lines").fetchone()[0] == before
    assert total(costs_store) == 28.5


def test_an_empty_file_is_refused(plan: Plan) -> None:
    assert refusal(plan, b"") == ["the file is empty"]
    assert refusal(plan, b"date,vendor,amount\n") == ["the file holds no charges"]


def test_a_bad_cell_repeated_is_named_on_every_line(plan: Plan) -> None:
    text = FOCUS.decode().replace("111122223333", "=1+1")
    problems = refusal(plan, text.encode())
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in range(2, 9)]
    assert all("BillingAccountId starts with '='" in p for p in problems)
