"""The enterprise's books, kept by the ledger: what each business fact posts.

Accounts per enterprise and currency (code ``ent:<party>:<name>:<ISO>``):

=================  ======================================================================
receivable         declared exports not yet paid (debit when released, credit when paid)
export_sales       declared exports (credit)
payable            declared imports not yet paid; ``import_purchases`` their cost
funds              money received (or paid) at the institution, not yet settled
clearing           where a payout is split into goods, fees and remainder (nets to zero)
fees               platform fees and the costs SAFE lets exporters net
unallocated        money received that no declared goods explain (the visible remainder)
fx_conversion      the bridge between two ledgers (goods in EUR paid in USD, FX into CNY)
settled            foreign currency settled into CNY (结汇); ``settled_rmb`` RMB settled
cny_funds          the CNY an FX settlement produced
=================  ======================================================================

Facts and their transfers (ids are the facts themselves, so a replay posts nothing twice):

* an export released → ``decl:<document>`` receivable ← export_sales (posted); a
  cancellation → ``decl:<document>:reversal``; a return → ``ret:<document>:<return>``;
* a receipt applied → pending ``txn:<id>:in`` (funds ← clearing), ``:fees``, ``:a<n>``
  (clearing ← receivable, through fx_conversion across currencies), ``:rest``; a payment
  the mirror image; a statement entry confirming it posts them (``…:post``), a void
  voids them (``…:void``);
* a settlement → ``set:<id>:out`` settled ← funds, and for FX ``set:<id>:cny`` in CNY.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.ledger import rules
from services.payments.ledger.repository import LedgerRepository
from services.payments.ledger.schemas import BalanceOut, CurrencyBalances
from shared.events.payments import FlowDirection


@dataclass(frozen=True)
class Leg:
    """One transfer between two of an enterprise's accounts, by name."""

    id: str
    debit: str
    credit: str
    amount: Decimal
    currency: str
    code: str
    flag: rules.Flag = rules.Flag.POSTED
    reference: str | None = None


def account_code(enterprise: str, name: str, currency: str) -> str:
    """The code of an enterprise's account."""
    return f"ent:{enterprise}:{name}:{currency}"


async def post(
    session: AsyncSession, enterprise: str, legs: list[Leg], now: dt.datetime
) -> dict[str, rules.Result]:
    """Create the legs' transfers (accounts created on first use); zero legs are skipped."""
    legs = [leg for leg in legs if rules.minor_units(leg.amount) > 0]
    if not legs:
        return {}
    repo = LedgerRepository(session)
    wanted = {
        (account_code(enterprise, name, leg.currency), leg.currency, enterprise, name)
        for leg in legs
        for name in (leg.debit, leg.credit)
    }
    ids = await repo.account_ids(sorted(wanted), now)
    return await repo.create_transfers(
        [
            rules.Transfer(
                leg.id,
                ids[account_code(enterprise, leg.debit, leg.currency)],
                ids[account_code(enterprise, leg.credit, leg.currency)],
                rules.minor_units(leg.amount),
                leg.currency,
                leg.code,
                leg.flag,
                None,
                leg.reference,
            )
            for leg in legs
        ],
        now,
    )


async def declared(
    session: AsyncSession,
    enterprise: str,
    document_id: str,
    direction: str,
    amount: Decimal,
    currency: str,
    now: dt.datetime,
) -> None:
    """Declared goods: the enterprise is owed (export) or owes (import) their value."""
    debit, credit = (
        ("receivable", "export_sales") if direction == "export" else ("import_purchases", "payable")
    )
    await post(
        session, enterprise, [Leg(f"decl:{document_id}", debit, credit, amount, currency, "declared")], now
    )


async def undeclared(
    session: AsyncSession,
    enterprise: str,
    document_id: str,
    direction: str,
    amount: Decimal,
    currency: str,
    now: dt.datetime,
) -> None:
    """Goods that stopped being declared (a cancellation after release): the declaration reverses."""
    debit, credit = (
        ("export_sales", "receivable") if direction == "export" else ("payable", "import_purchases")
    )
    await post(
        session,
        enterprise,
        [Leg(f"decl:{document_id}:reversal", debit, credit, amount, currency, "undeclared")],
        now,
    )


async def returned(
    session: AsyncSession,
    enterprise: str,
    document_id: str,
    return_id: str,
    direction: str,
    amount: Decimal,
    currency: str,
    now: dt.datetime,
) -> None:
    """A customs-accepted return reduces what is owed."""
    debit, credit = (
        ("export_sales", "receivable") if direction == "export" else ("payable", "import_purchases")
    )
    await post(
        session,
        enterprise,
        [Leg(f"ret:{document_id}:{return_id}", debit, credit, amount, currency, "returned")],
        now,
    )


@dataclass(frozen=True)
class AllocationLeg:
    """One allocation of a transaction, in both currencies."""

    seq: int
    amount: Decimal
    goods_amount: Decimal
    goods_currency: str


async def transaction_applied(
    session: AsyncSession,
    enterprise: str,
    transaction_id: str,
    direction: FlowDirection,
    amount: Decimal,
    currency: str,
    netted: Decimal,
    remainder: Decimal,
    allocations: list[AllocationLeg],
    now: dt.datetime,
) -> None:
    """Pending transfers of an applied transaction (posted once a statement confirms it)."""
    goods_account = "receivable" if direction is FlowDirection.RECEIPT else "payable"
    legs = [
        Leg(f"txn:{transaction_id}:in", "funds", "clearing", amount, currency, "received"),
        Leg(f"txn:{transaction_id}:fees", "fees", "clearing", netted, currency, "netted"),
        Leg(f"txn:{transaction_id}:rest", "clearing", "unallocated", remainder, currency, "unallocated"),
    ]
    for line in allocations:
        if line.goods_currency == currency:
            legs.append(
                Leg(
                    f"txn:{transaction_id}:a{line.seq}",
                    "clearing",
                    goods_account,
                    line.amount,
                    currency,
                    "allocated",
                )
            )
        else:
            legs.append(
                Leg(
                    f"txn:{transaction_id}:a{line.seq}:fx",
                    "clearing",
                    "fx_conversion",
                    line.amount,
                    currency,
                    "allocated",
                )
            )
            legs.append(
                Leg(
                    f"txn:{transaction_id}:a{line.seq}",
                    "fx_conversion",
                    goods_account,
                    line.goods_amount,
                    line.goods_currency,
                    "allocated",
                )
            )
    if direction is FlowDirection.PAYMENT:
        legs = [Leg(leg.id, leg.credit, leg.debit, leg.amount, leg.currency, leg.code) for leg in legs]
    pending = [
        Leg(
            leg.id,
            leg.debit,
            leg.credit,
            leg.amount,
            leg.currency,
            leg.code,
            rules.Flag.PENDING,
            transaction_id,
        )
        for leg in legs
    ]
    await post(session, enterprise, pending, now)


async def resolve_transaction(
    session: AsyncSession, transaction_id: str, post_them: bool, now: dt.datetime
) -> int:
    """Post (a statement confirmed it) or void (withdrawn) a transaction's pending transfers; how many."""
    repo = LedgerRepository(session)
    pendings = await repo.pending_with_reference(transaction_id)
    flag = rules.Flag.POST_PENDING if post_them else rules.Flag.VOID_PENDING
    suffix = "post" if post_them else "void"
    results = await repo.create_transfers(
        [
            rules.Transfer(f"{p.id}:{suffix}", 0, 0, 0, p.ledger, p.code, flag, p.id, transaction_id)
            for p in sorted(pendings, key=lambda p: p.id)
        ],
        now,
    )
    return sum(1 for r in results.values() if r is rules.Result.OK)


async def settled(
    session: AsyncSession,
    enterprise: str,
    settlement_id: str,
    kind: str,
    amount: Decimal,
    currency: str,
    amount_cny: Decimal,
    now: dt.datetime,
) -> None:
    """A settlement: foreign funds converted into CNY (fx), or RMB settled (rmb)."""
    if kind == "rmb":
        legs = [Leg(f"set:{settlement_id}:out", "settled_rmb", "funds", amount, currency, "settled_rmb")]
    else:
        legs = [
            Leg(f"set:{settlement_id}:out", "settled", "funds", amount, currency, "settled_fx"),
            Leg(f"set:{settlement_id}:cny", "cny_funds", "fx_conversion", amount_cny, "CNY", "settled_fx"),
        ]
    await post(session, enterprise, legs, now)


async def balances(session: AsyncSession, enterprise: str) -> BalanceOut:
    """Declared, received, settled and outstanding, per currency."""
    accounts = await LedgerRepository(session).accounts_of(enterprise)
    per: dict[str, dict[str, tuple[int, int, int, int]]] = defaultdict(dict)
    for account in accounts:
        per[account.ledger][account.name] = (
            account.debits_posted,
            account.credits_posted,
            account.debits_pending,
            account.credits_pending,
        )
    out = []
    for currency in sorted(per):
        names = per[currency]

        def get(name: str, names: dict[str, tuple[int, int, int, int]] = names) -> tuple[int, int, int, int]:
            return names.get(name, (0, 0, 0, 0))

        sales, receivable, funds = get("export_sales"), get("receivable"), get("funds")
        settled_fx, settled_rmb, fees = get("settled"), get("settled_rmb"), get("fees")
        purchases, payable, unallocated = get("import_purchases"), get("payable"), get("unallocated")
        out.append(
            CurrencyBalances(
                currency=currency,
                declared_exports=rules.units(sales[1] - sales[0]),
                received=rules.units(funds[0] + funds[2]),
                received_confirmed=rules.units(funds[0]),
                netted=rules.units(fees[0] + fees[2]),
                unallocated=rules.units(unallocated[1] + unallocated[3]),
                settled_fx=rules.units(settled_fx[0]),
                settled_rmb=rules.units(settled_rmb[0]),
                outstanding_receivable=rules.units(receivable[0] - receivable[1] - receivable[3]),
                declared_imports=rules.units(purchases[0] - purchases[1]),
                outstanding_payable=rules.units(payable[1] - payable[0] - payable[2]),
            )
        )
    return BalanceOut(enterprise_party_id=enterprise, currencies=out)
