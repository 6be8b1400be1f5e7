"""Reconciliation end to end: reported receipts confirmed by statement entries, rules and review,
dry runs, rejected pairs remembered, exports — and a crash mid-run that applies nothing twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.payments.context import PaymentsContext
from services.payments.reconciliation.models import Match
from services.payments.statements import writers
from tests.payments.support import PaymentsApi, bank, enterprise, export_goods, onboard, receipt

D = Decimal
BJ = dt.timezone(dt.timedelta(hours=8))
ACCOUNT = "6217000012345678"
DAY = dt.date(2026, 11, 10)


def _bank():  # type: ignore[no-untyped-def]
    return bank("bank-1")


def _ent():  # type: ignore[no-untyped-def]
    return enterprise("ent-1")


@pytest.fixture
async def world(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, _bank(), [_ent()], accounts={_ent().party_id: ACCOUNT})
    for order_no, value in (("SO-1", "600.00"), ("SO-2", "400.00")):
        await payments.feed(export_goods(_ent(), order_no, value))
    return payments


def _entry(amount: str, text: str, ref: str, credit: bool = True, day: dt.date = DAY) -> writers.OutEntry:
    return writers.OutEntry(D(amount), credit, day, day, ref, None, text, "Amazon Payments Europe")


async def _statement(api: PaymentsApi, entries: list[writers.OutEntry], sid: str = "S1") -> str:
    statement = writers.OutStatement(
        sid, ACCOUNT, "USD", D("0"), dt.datetime(2026, 11, 10, 18, tzinfo=BJ), DAY, DAY, entries
    )
    answer = await api.post(
        "/v1/payments/statements",
        _bank(),
        content=writers.camt053([statement], f"M-{sid}", statement.created_at),
        headers={"content-type": "application/xml"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]["id"])


async def _report(api: PaymentsApi, reference: str, amount: str, orders: list[str]) -> str:
    body = receipt(
        reference,
        _ent().party_id,
        amount,
        value_date=DAY.isoformat(),
        orders=[{"order_no": o} for o in orders],
    )
    answer = await api.post("/v1/payments/transactions", _bank(), json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _run(api: PaymentsApi, **body: object) -> dict[str, object]:
    answer = await api.post("/v1/payments/reconciliation/runs", _ent(), json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_a_statement_entry_naming_the_payout_confirms_the_reported_receipt(world: PaymentsApi) -> None:
    txn = await _report(world, "R1", "1000.00", ["SO-1", "SO-2"])
    await _statement(world, [_entry("1000.00", "AMAZON PAYOUT-R1", "B1")])
    run = await _run(world)
    assert (run["status"], run["auto"], run["applied"], run["review"]) == ("done", 1, 1, 0)
    reported = (await world.get(f"/v1/payments/transactions/{txn}", _ent())).json()
    assert reported["status"] == "reconciled"
    usd = (await world.get("/v1/payments/balances", _ent())).json()["currencies"][0]
    assert (usd["received_confirmed"], usd["outstanding_receivable"]) == ("1000.00", "0.00")


async def test_a_dry_run_proposes_and_changes_nothing(world: PaymentsApi) -> None:
    await _report(world, "R1", "1000.00", ["SO-1", "SO-2"])
    statement = await _statement(world, [_entry("1000.00", "PAYOUT-R1", "B1")])
    dry = await _run(world, dry_run=True)
    assert (dry["status"], dry["proposals"], dry["applied"]) == ("dry_run", 1, 0)
    entries = (await world.get(f"/v1/payments/statements/{statement}/entries", _ent())).json()["items"]
    assert entries[0]["match_state"] == "unmatched"
    assert (await _run(world))["applied"] == 1  # the real run still finds it


async def test_a_fee_short_payment_waits_for_review_and_is_applied_when_accepted(world: PaymentsApi) -> None:
    await world.post(
        "/v1/payments/expected-items",
        _ent(),
        json={
            "items": [
                {
                    "id": "INV-77",
                    "direction": "receipt",
                    "amount": "500.00",
                    "currency": "USD",
                    "expected_date": "2026-11-09",
                }
            ]
        },
    )
    await _statement(world, [_entry("488.00", "WIRE FROM BUYER", "B7")])
    run = await _run(world)
    assert (run["auto"], run["review"]) == (0, 1)
    (suggestion,) = (await world.get("/v1/payments/reconciliation/review", _ent())).json()["items"]
    assert suggestion["residual"] == "12.00" and D(suggestion["confidence"]) < D("0.95")
    accepted = await world.post(f"/v1/payments/reconciliation/review/{suggestion['id']}/accept", _ent())
    assert accepted.json()["state"] == "applied"
    items = (await world.get("/v1/payments/expected-items", _ent())).json()["items"]
    assert [(i["id"], i["status"]) for i in items if i["source"] == "api"][0][1] == "matched"
    again = await world.post(f"/v1/payments/reconciliation/review/{suggestion['id']}/accept", _ent())
    assert again.status_code == 409


async def test_a_rejected_pair_is_never_proposed_again(world: PaymentsApi) -> None:
    await world.post(
        "/v1/payments/expected-items",
        _ent(),
        json={
            "items": [
                {
                    "id": "INV-9",
                    "direction": "receipt",
                    "amount": "300.00",
                    "currency": "USD",
                    "expected_date": "2026-11-10",
                }
            ]
        },
    )
    await _statement(world, [_entry("300.00", "SOMEONE ELSE", "B9")])
    await _run(world)
    (suggestion,) = (await world.get("/v1/payments/reconciliation/review", _ent())).json()["items"]
    rejected = await world.post(f"/v1/payments/reconciliation/review/{suggestion['id']}/reject", _ent())
    assert rejected.json()["state"] == "rejected"
    assert (await _run(world))["proposals"] == 0


async def test_a_batch_payout_without_references_is_suggested_as_many_to_one(world: PaymentsApi) -> None:
    await world.post(
        "/v1/payments/expected-items",
        _ent(),
        json={
            "items": [
                {
                    "id": "A1",
                    "direction": "receipt",
                    "amount": "120.00",
                    "currency": "USD",
                    "expected_date": "2026-11-10",
                },
                {
                    "id": "A2",
                    "direction": "receipt",
                    "amount": "80.00",
                    "currency": "USD",
                    "expected_date": "2026-11-11",
                },
            ]
        },
    )
    await _statement(world, [_entry("200.00", "BATCH 20261110", "B5")])
    await _run(world)
    (suggestion,) = (await world.get("/v1/payments/reconciliation/review", _ent())).json()["items"]
    assert len(suggestion["items"]) == 2 and "many-to-one" in suggestion["rule"]


async def test_a_duplicate_and_an_unknown_remitter_stay_unmatched_and_are_reported(
    world: PaymentsApi,
) -> None:
    await _report(world, "R1", "1000.00", ["SO-1", "SO-2"])
    await _statement(
        world,
        [
            _entry("1000.00", "PAYOUT-R1", "B1"),
            _entry("1000.00", "PAYOUT-R1", "B1-DUP"),
            _entry("77.70", "UNKNOWN SENDER", "B3"),
        ],
    )
    run = await _run(world)
    assert run["applied"] == 1
    csv = (await world.get("/v1/payments/reconciliation/unmatched.csv", _ent())).content.decode("utf-8-sig")
    assert "B1-DUP" in csv and "UNKNOWN SENDER" in csv
    book = load_workbook(
        io.BytesIO((await world.get("/v1/payments/reconciliation/unmatched.xlsx", _ent())).content)
    )
    assert book.active.max_row == 3  # header + the two unmatched entries


async def test_run_results_export_as_csv_and_xlsx(world: PaymentsApi) -> None:
    await _report(world, "R1", "1000.00", ["SO-1", "SO-2"])
    await _statement(world, [_entry("1000.00", "PAYOUT-R1", "B1")])
    run = await _run(world)
    csv = (
        await world.get(f"/v1/payments/reconciliation/runs/{run['id']}/results.csv", _ent())
    ).content.decode("utf-8-sig")
    assert "reference+amount" in csv and "applied" in csv
    xlsx = await world.get(f"/v1/payments/reconciliation/runs/{run['id']}/results.xlsx", _ent())
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 2


class _Crash(Exception):
    pass


class _CrashAfter:
    """Fails the run after ``n`` committed batches, as a crash between two batches would."""

    def __init__(self, n: int) -> None:
        self.n, self.seen = n, 0

    def reached(self, step: str) -> None:
        self.seen += 1
        if self.seen == self.n:
            raise _Crash(step)


@contextmanager
def _context(api: PaymentsApi, **changes: object) -> Iterator[None]:
    components = api.app.state.runtime.components
    original = components.get(PaymentsContext)
    settings = original.settings.model_copy(update={"reconcile_batch_size": 2})
    components.provide(dataclasses.replace(original, settings=settings, **changes))
    try:
        yield
    finally:
        components.provide(original)


async def test_a_crash_mid_run_applies_nothing_twice(world: PaymentsApi) -> None:
    items = [
        {
            "id": f"C{n}",
            "direction": "receipt",
            "amount": f"{100 + n}.00",
            "currency": "USD",
            "expected_date": "2026-11-10",
            "references": [f"CRASH-{n}"],
        }
        for n in range(5)
    ]
    await world.post("/v1/payments/expected-items", _ent(), json={"items": items})
    statement = await _statement(world, [_entry(f"{100 + n}.00", f"CRASH-{n}", f"B{n}") for n in range(5)])
    with _context(world, crash=_CrashAfter(1)):
        crashed = await world.post("/v1/payments/reconciliation/runs", _ent(), json={})
    assert crashed.status_code == 500
    async with world.db.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Match).where(Match.statement_id == statement)
            )
            == 2
        )
    # The service resumes unfinished runs by itself (here: the start-up task's function, called now).
    from services.payments.reconciliation.service import resume_all

    ctx = world.app.state.runtime.components.get(PaymentsContext)
    assert await resume_all(world.db, ctx, world.app.state.runtime.publisher, None) >= 1
    async with world.db.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Match).where(Match.statement_id == statement)
            )
            == 5
        )
    entries = (await world.get(f"/v1/payments/statements/{statement}/entries", _ent())).json()["items"]
    assert [e["match_state"] for e in entries] == ["matched"] * 5
    assert [e["matched_amount"] for e in entries] == [f"{100 + n}.00" for n in range(5)]
