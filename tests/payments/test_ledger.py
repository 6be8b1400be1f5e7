"""The ledger on SQLite and PostgreSQL: batches, replays (also concurrent), pending → post/void,
and the books business facts keep."""

from __future__ import annotations

import asyncio
import datetime as dt

from services.payments.ledger.repository import LedgerRepository
from services.payments.ledger.rules import Flag, Result, Transfer
from shared.sqltypes import utcnow
from tests.payments.support import (
    UTC,
    PaymentsApi,
    enterprise,
    export_goods,
    onboard,
    pay_institution,
    pid,
    receipt,
    status_event,
)


async def _accounts(api: PaymentsApi, names: list[str], ledger: str = "USD") -> dict[str, int]:
    async with api.db.transaction() as session:
        return await LedgerRepository(session).account_ids(
            [(pid(f"acct-{n}"), ledger, None, n) for n in names], utcnow()
        )


async def _balances(api: PaymentsApi, codes: list[str]) -> dict[str, tuple[int, int, int, int]]:
    async with api.db.transaction() as session:
        found = await LedgerRepository(session).accounts_by_code(codes)
    return {
        code.rsplit("-", 1)[0].removeprefix("acct-"): (
            a.debits_pending,
            a.debits_posted,
            a.credits_pending,
            a.credits_posted,
        )
        for code, a in found.items()
    }


async def _create(api: PaymentsApi, batch: list[Transfer]) -> dict[str, Result]:
    async with api.db.transaction() as session:
        return await LedgerRepository(session).create_transfers(batch, utcnow())


async def test_a_replayed_batch_posts_nothing_twice(payments: PaymentsApi) -> None:
    ids = await _accounts(payments, ["a", "b"])
    batch = [
        Transfer(pid(f"t{i}"), ids[pid("acct-a")], ids[pid("acct-b")], 100, "USD", "test") for i in range(50)
    ]
    assert set((await _create(payments, batch)).values()) == {Result.OK}
    assert set((await _create(payments, batch)).values()) == {Result.EXISTS}
    balances = await _balances(payments, [pid("acct-a"), pid("acct-b")])
    assert balances == {"a": (0, 5000, 0, 0), "b": (0, 0, 0, 5000)}


async def test_concurrent_replays_of_one_batch_post_it_once(payments: PaymentsApi) -> None:
    ids = await _accounts(payments, ["a", "b"])
    batch = [
        Transfer(pid(f"c{i}"), ids[pid("acct-a")], ids[pid("acct-b")], 7, "USD", "test") for i in range(200)
    ]
    outcomes = await asyncio.gather(*(_create(payments, batch) for _ in range(4)))
    oks = sum(1 for outcome in outcomes for r in outcome.values() if r is Result.OK)
    assert oks == 200
    assert (await _balances(payments, [pid("acct-a")]))["a"] == (0, 1400, 0, 0)


async def test_a_pending_transfer_posts_once_and_cannot_then_be_voided(payments: PaymentsApi) -> None:
    ids = await _accounts(payments, ["a", "b"])
    a, b = ids[pid("acct-a")], ids[pid("acct-b")]
    await _create(payments, [Transfer(pid("p"), a, b, 500, "USD", "hold", Flag.PENDING)])
    assert (await _balances(payments, [pid("acct-a")]))["a"] == (500, 0, 0, 0)
    post = Transfer(pid("p:post"), 0, 0, 300, "USD", "hold", Flag.POST_PENDING, pid("p"))
    void = Transfer(pid("p:void"), 0, 0, 0, "USD", "hold", Flag.VOID_PENDING, pid("p"))
    assert await _create(payments, [post]) == {pid("p:post"): Result.OK}
    assert await _create(payments, [post]) == {pid("p:post"): Result.EXISTS}
    assert await _create(payments, [void]) == {pid("p:void"): Result.PENDING_ALREADY_POSTED}
    assert (await _balances(payments, [pid("acct-a")]))["a"] == (0, 300, 0, 0)


async def test_accounts_of_different_currencies_never_meet(payments: PaymentsApi) -> None:
    usd = await _accounts(payments, ["u"])
    eur = await _accounts(payments, ["e"], "EUR")
    result = await _create(
        payments, [Transfer(pid("x"), usd[pid("acct-u")], eur[pid("acct-e")], 1, "USD", "t")]
    )
    assert result == {pid("x"): Result.LEDGER_MISMATCH}


async def test_the_books_follow_declared_exports_receipts_and_voids(payments: PaymentsApi) -> None:
    pi, ent = pay_institution(), enterprise("ent-1")
    await onboard(payments, pi, [ent])
    events = export_goods(ent, "SO-1", "1000.00")
    await payments.feed(events)
    balances = (await payments.get("/v1/payments/balances", ent)).json()["currencies"]
    assert (balances[0]["declared_exports"], balances[0]["outstanding_receivable"]) == ("1000.00", "1000.00")
    body = receipt(
        "R1",
        ent.party_id,
        "900.00",
        orders=[{"order_no": "SO-1"}],
        deductions=[{"kind": "logistics", "amount": "60.00"}],
    )
    txn = (await payments.post("/v1/payments/transactions", pi, json=body)).json()
    usd = (await payments.get("/v1/payments/balances", ent)).json()["currencies"][0]
    assert (usd["received"], usd["received_confirmed"], usd["netted"], usd["outstanding_receivable"]) == (
        "900.00",
        "0.00",
        "60.00",
        "40.00",
    )
    await payments.post(
        f"/v1/payments/transactions/{txn['id']}/void", pi, json={"reason": "wrong enterprise"}
    )
    usd = (await payments.get("/v1/payments/balances", ent)).json()["currencies"][0]
    assert (usd["received"], usd["outstanding_receivable"]) == ("0.00", "1000.00")
    transfers = (await payments.get("/v1/payments/ledger/transfers?limit=100", ent)).json()["items"]
    assert {t["flag"] for t in transfers} == {"posted", "pending", "void_pending"}


async def test_a_cancellation_after_release_reverses_the_declared_export(payments: PaymentsApi) -> None:
    ent = enterprise("ent-1")
    await payments.register(ent)
    events = export_goods(ent, "SO-1", "250.00")
    await payments.feed(events)
    await payments.feed([status_event(events, "cancelled", dt.datetime(2026, 11, 8, tzinfo=UTC))])
    usd = (await payments.get("/v1/payments/balances", ent)).json()["currencies"][0]
    assert (usd["declared_exports"], usd["outstanding_receivable"]) == ("0.00", "0.00")
    # The same events again change nothing.
    await payments.feed(events)
    usd = (await payments.get("/v1/payments/balances", ent)).json()["currencies"][0]
    assert usd["declared_exports"] == "0.00"
