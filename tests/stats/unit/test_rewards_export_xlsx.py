"""XLSX export: read back with openpyxl, every figure equals the run's to the fen."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from services.stats.rewards.engine import compute
from services.stats.rewards.export_xlsx import (
    AMOUNT_HEADERS,
    EXPLANATION_HEADERS,
    MONEY_FORMAT,
    run_xlsx_bytes,
    write_run_xlsx,
)
from services.stats.rewards.inputs import Snapshot
from services.stats.rewards.lifecycle import RewardRun, create_correction, create_run
from services.stats.rewards.policy import parse_policy
from tests.stats.unit.rewards_support import (
    budgets,
    enterprise,
    example_policy_data,
    park,
    snapshot,
    snapshots,
)

T0 = dt.datetime(2027, 2, 1, 1, 0, tzinfo=dt.UTC)


def _money(cell) -> Decimal:
    """A money cell read back: the shortest repr of the stored double, as a Decimal."""
    assert cell.number_format == MONEY_FORMAT
    assert isinstance(cell.value, (int, float))
    return Decimal(repr(cell.value)).quantize(Decimal("0.01"))


def _run(snap: Snapshot, budget: dict | None = None) -> RewardRun:
    data = example_policy_data()
    data["status"] = "final"
    if budget:
        data["budget"] = budget
    result = compute(parse_policy(data), snap)
    return (
        create_run(result, "clerk", run_id="run-x", at=T0)
        .review("reviewer", at=T0)
        .approve("director", at=T0)
    )


def _check_round_trip(run: RewardRun, content: bytes) -> None:
    book = load_workbook(io.BytesIO(content))
    result = run.result

    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(max_col=2) if row[0].value}
    assert summary["Run id 批次编号"].value == run.run_id
    assert summary["Status 状态"].value == run.status.value
    assert summary["Policy SHA-256"].value == result.policy_hash
    assert summary["Snapshot SHA-256"].value == result.snapshot_hash
    assert _money(summary["Budget 预算总额"]) == result.budget.total
    assert _money(summary["Total paid 实发合计"]) == result.total
    assert _money(summary["Demand 申请合计"]) == result.budget.demand
    assert Decimal(repr(summary["Scale factor 折算系数"].value)) == result.budget.scale_factor
    assert summary["Amounts digest 金额摘要"].value == run.amounts_digest

    amounts = list(book["Amounts"].iter_rows())
    assert tuple(cell.value for cell in amounts[0]) == AMOUNT_HEADERS
    body, total = amounts[1:-1], amounts[-1]
    assert len(body) == len(result.subjects)
    for row, subject in zip(body, result.subjects, strict=True):
        assert row[0].value == subject.key
        assert row[3].value == subject.name
        assert (_money(row[6]), _money(row[7]), _money(row[8])) == (
            subject.gross,
            subject.capped,
            subject.final,
        )
    assert total[0].value == "TOTAL 合计"
    assert _money(total[8]) == result.total
    assert sum((_money(row[8]) for row in body), Decimal(0)) == result.total

    explanations = list(book["Explanations"].iter_rows())
    assert tuple(cell.value for cell in explanations[0]) == EXPLANATION_HEADERS
    expected = [(s.key, n, line) for s in result.subjects for n, line in enumerate(s.lines, start=1)]
    assert len(explanations) - 1 == len(expected)
    for row, (key, number, line) in zip(explanations[1:], expected, strict=True):
        assert (row[0].value, row[1].value, row[2].value, row[4].value) == (
            key,
            number,
            line.step.value,
            line.rule,
        )
        assert row[7].value == line.formula
        if line.result is None:
            assert row[8].value is None
        else:
            assert _money(row[8]) == line.result


def test_xlsx_round_trip_equals_the_runs_figures(tmp_path: Path):
    snap = snapshot(
        [
            enterprise(
                i,
                transaction_value=f"{i * 7_000_000}.{i:02d}",
                order_count=i * 30_000,
                intl_logistics_cost=f"{i * 12_345}.67",
                flags={"first_year_cbec": i % 2 == 0},
            )
            for i in range(1, 9)
        ],
        [park("P1", new_active_enterprises=12, new_active_transaction_value="55000000")],
    )
    run = _run(snap, {"total": "150000.00", "allocation": {"method": "pro_rata"}})
    path = tmp_path / "run.xlsx"
    write_run_xlsx(run, path)
    _check_round_trip(run, path.read_bytes())


def test_status_history_is_exported_with_actors_and_utc_times():
    run = _run(snapshot([enterprise(1, transaction_value="2000000")]))
    book = load_workbook(io.BytesIO(run_xlsx_bytes(run)))
    rows = [tuple(c.value for c in row) for row in book["Summary"].iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "Status history 状态记录")
    history = rows[start + 1 : start + 1 + len(run.history)]
    assert [(r[2], r[3], r[4]) for r in history] == [
        ("draft", "clerk", "2027-02-01T01:00:00Z"),
        ("reviewed", "reviewer", "2027-02-01T01:00:00Z"),
        ("approved", "director", "2027-02-01T01:00:00Z"),
    ]


def test_text_that_looks_like_a_formula_stays_text():
    hostile = '=HYPERLINK("http://evil.example","点我")'
    run = _run(snapshot([enterprise(1, name=hostile, transaction_value="2000000")]))
    book = load_workbook(io.BytesIO(run_xlsx_bytes(run)))
    cell = book["Amounts"]["D2"]
    assert cell.value == hostile
    assert cell.data_type == "s"


def test_a_correction_exports_its_differences():
    data = example_policy_data()
    data["status"] = "final"
    policy = parse_policy(data)
    first = compute(policy, snapshot([enterprise(1, transaction_value="25000000"), enterprise(2)]))
    published = (
        create_run(first, "clerk", at=T0).review("r", at=T0).approve("d", at=T0).publish("clerk", at=T0)
    )
    second = compute(policy, snapshot([enterprise(1, transaction_value="60000000"), enterprise(2)]))
    correction = create_correction(published, second, "clerk", "restated value", at=T0)
    book = load_workbook(io.BytesIO(run_xlsx_bytes(correction)))
    rows = list(book["Differences"].iter_rows(min_row=2))
    by_key = {row[0].value: (_money(row[1]), _money(row[2]), _money(row[3])) for row in rows}
    assert by_key["enterprise:E00001"] == (Decimal("40000.00"), Decimal("60000.00"), Decimal("20000.00"))
    assert by_key["enterprise:E00002"] == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(max_col=2) if row[0].value}
    assert summary["Corrects run 更正批次"] == published.run_id


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=snapshots(max_enterprises=10), budget=budgets())
def test_xlsx_round_trip_holds_for_any_run(data: dict, budget: dict):
    run = _run(Snapshot.model_validate(data), budget)
    _check_round_trip(run, run_xlsx_bytes(run))


def test_explanations_can_be_limited_to_paid_subjects_or_left_out():
    snap = snapshot([enterprise(1, transaction_value="25000000"), enterprise(2, transaction_value="10")])
    run = _run(snap)
    paid = load_workbook(io.BytesIO(run_xlsx_bytes(run, explanations="paid")))
    keys = {row[0].value for row in paid["Explanations"].iter_rows(min_row=2)}
    assert keys == {"enterprise:E00001"}
    assert len(list(paid["Amounts"].iter_rows())) == 2 + 2  # header, two subjects, total
    none = load_workbook(io.BytesIO(run_xlsx_bytes(run, explanations="none")))
    assert none.sheetnames == ["Summary", "Amounts"]
