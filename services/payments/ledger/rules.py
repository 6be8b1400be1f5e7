"""Transfers and balances — pure, no I/O (TigerBeetle semantics, docs.tigerbeetle.com).

* A **ledger** is a currency (ISO 4217); a transfer moves an integer amount of minor
  units (cents) from a debit account to a credit account of the same ledger.
* Transfers are **immutable** and have **deterministic ids** chosen by the caller from
  the business fact (``txn:<id>:in``): creating an id that exists changes nothing and
  answers ``exists`` (or ``exists_with_different_fields``), so a replay cannot post twice.
* A **pending** transfer reserves its amount (``debits_pending``/``credits_pending``);
  a later ``post_pending`` transfer posts it (all, or less), a ``void_pending`` releases
  it. A pending transfer is resolved at most once.
* Balances never change except through transfers; corrections are new transfers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Flag(StrEnum):
    """What a transfer does."""

    POSTED = "posted"  # a single-phase transfer
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


class Result(StrEnum):
    """The outcome of creating one transfer (TigerBeetle's result names)."""

    OK = "ok"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    ACCOUNT_NOT_FOUND = "account_not_found"
    LEDGER_MISMATCH = "accounts_must_have_the_same_ledger"
    AMOUNT_MUST_NOT_BE_ZERO = "amount_must_not_be_zero"
    PENDING_NOT_FOUND = "pending_transfer_not_found"
    PENDING_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_ALREADY_POSTED = "pending_transfer_already_posted"
    PENDING_ALREADY_VOIDED = "pending_transfer_already_voided"
    EXCEEDS_PENDING_AMOUNT = "exceeds_pending_transfer_amount"


@dataclass(frozen=True)
class Transfer:
    """A transfer as asked for. For post/void, accounts and ledger come from the pending one."""

    id: str
    debit_account_id: int
    credit_account_id: int
    amount: int
    ledger: str
    code: str
    flag: Flag = Flag.POSTED
    pending_id: str | None = None
    reference: str | None = None

    def same_as(self, other: Transfer) -> bool:
        """True if ``other`` asks for exactly this transfer.

        A post or void is the same request when it resolves the same pending transfer
        (its accounts and amount come from the pending one; ``0`` posts it whole).
        """
        if self.flag in (Flag.POST_PENDING, Flag.VOID_PENDING):
            return (self.flag, self.pending_id) == (other.flag, other.pending_id) and (
                other.amount in (0, self.amount) or self.flag is Flag.VOID_PENDING
            )
        return (
            self.debit_account_id,
            self.credit_account_id,
            self.amount,
            self.ledger,
            self.code,
            self.flag,
            self.pending_id,
        ) == (
            other.debit_account_id,
            other.credit_account_id,
            other.amount,
            other.ledger,
            other.code,
            other.flag,
            other.pending_id,
        )


@dataclass
class Delta:
    """The change one account's four balances take."""

    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    def is_zero(self) -> bool:
        """True if nothing changes."""
        return not (self.debits_pending or self.debits_posted or self.credits_pending or self.credits_posted)


@dataclass(frozen=True)
class PendingState:
    """A pending transfer and whether it was resolved already."""

    transfer: Transfer
    resolved_by: Flag | None = None


@dataclass
class Plan:
    """What a batch does: per transfer its result, the transfers to store, and for each
    post/void the amount of the pending transfer it releases."""

    results: dict[str, Result] = field(default_factory=dict)
    accepted: list[Transfer] = field(default_factory=list)
    releases: dict[str, int] = field(default_factory=dict)


def deltas(transfers: Iterable[Transfer], releases: Mapping[str, int]) -> dict[int, Delta]:
    """The balance changes of stored transfers (``releases``: pending amount per post/void id)."""
    out: dict[int, Delta] = defaultdict(Delta)
    for transfer in transfers:
        debit, credit = out[transfer.debit_account_id], out[transfer.credit_account_id]
        if transfer.flag is Flag.PENDING:
            debit.debits_pending += transfer.amount
            credit.credits_pending += transfer.amount
        elif transfer.flag is Flag.POSTED:
            debit.debits_posted += transfer.amount
            credit.credits_posted += transfer.amount
        else:
            released = releases[transfer.id]
            debit.debits_pending -= released
            credit.credits_pending -= released
            if transfer.flag is Flag.POST_PENDING:
                debit.debits_posted += transfer.amount
                credit.credits_posted += transfer.amount
    return {account: delta for account, delta in out.items() if not delta.is_zero()}


def minor_units(amount: Decimal) -> int:
    """An amount in currency units → integer cents (half-up)."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def units(minor: int) -> Decimal:
    """Integer cents → an amount."""
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def plan(
    batch: Iterable[Transfer],
    existing: Mapping[str, Transfer],
    accounts: Mapping[int, str],
    pendings: Mapping[str, PendingState],
) -> Plan:
    """Decide a batch: ``existing`` transfers by id, ``accounts`` id → ledger, ``pendings`` by id.

    Transfers of the batch see each other in order (a post of a pending created earlier
    in the same batch is allowed; a second resolution of one pending is refused).
    """
    out = Plan()
    seen: dict[str, Transfer] = dict(existing)
    pending_now = dict(pendings)
    for transfer in batch:
        prior = seen.get(transfer.id)
        if prior is not None:
            out.results[transfer.id] = (
                Result.EXISTS if prior.same_as(transfer) else Result.EXISTS_WITH_DIFFERENT_FIELDS
            )
            continue
        if transfer.flag in (Flag.POST_PENDING, Flag.VOID_PENDING):
            state = pending_now.get(transfer.pending_id or "")
            result = _resolve_check(transfer, state)
            if result is not Result.OK:
                out.results[transfer.id] = result
                continue
            assert state is not None
            pending = state.transfer
            amount = transfer.amount or pending.amount
            resolved = Transfer(
                transfer.id,
                pending.debit_account_id,
                pending.credit_account_id,
                amount if transfer.flag is Flag.POST_PENDING else pending.amount,
                pending.ledger,
                transfer.code or pending.code,
                transfer.flag,
                pending.id,
                transfer.reference,
            )
            out.releases[transfer.id] = pending.amount
            pending_now[pending.id] = PendingState(pending, transfer.flag)
            out.accepted.append(resolved)
            out.results[transfer.id] = Result.OK
            seen[transfer.id] = resolved
            continue
        result = _check(transfer, accounts)
        if result is not Result.OK:
            out.results[transfer.id] = result
            continue
        if transfer.flag is Flag.PENDING:
            pending_now[transfer.id] = PendingState(transfer)
        out.accepted.append(transfer)
        out.results[transfer.id] = Result.OK
        seen[transfer.id] = transfer
    return out


def _check(transfer: Transfer, accounts: Mapping[int, str]) -> Result:
    if transfer.debit_account_id == transfer.credit_account_id:
        return Result.ACCOUNTS_MUST_BE_DIFFERENT
    if transfer.amount <= 0:
        return Result.AMOUNT_MUST_NOT_BE_ZERO
    debit, credit = accounts.get(transfer.debit_account_id), accounts.get(transfer.credit_account_id)
    if debit is None or credit is None:
        return Result.ACCOUNT_NOT_FOUND
    if not (debit == credit == transfer.ledger):
        return Result.LEDGER_MISMATCH
    return Result.OK


def _resolve_check(transfer: Transfer, state: PendingState | None) -> Result:
    if state is None:
        return Result.PENDING_NOT_FOUND
    if state.transfer.flag is not Flag.PENDING:
        return Result.PENDING_NOT_PENDING
    if state.resolved_by is Flag.POST_PENDING:
        return Result.PENDING_ALREADY_POSTED
    if state.resolved_by is Flag.VOID_PENDING:
        return Result.PENDING_ALREADY_VOIDED
    if transfer.flag is Flag.POST_PENDING and transfer.amount > state.transfer.amount:
        return Result.EXCEEDS_PENDING_AMOUNT
    return Result.OK
