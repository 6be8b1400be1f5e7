"""Checks every statement must pass, whatever its format — pure, no I/O.

The platform never trusts a parser (or a bank) for these; they are computed here:

* **Balances**: opening + Σ booked entries (credits − debits) = closing. Pending and
  information-only entries (camt ``PDNG``/``INFO``) do not move booked balances.
* **Declared totals** (camt ``TxsSummry``, MT942 ``:90D:``/``:90C:``): the sums and counts
  of credit and debit entries equal what the statement says.
* **Entries** are positive amounts in the account's currency.

A refusal names the entry when one can be blamed: if the difference equals one entry's
amount (it is booked once too often, or is missing its twin) or twice it (its
credit/debit sign is wrong), that entry is named.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.payments.statements.model import BOOKED, ParsedStatement

ZERO = Decimal(0)


def problems(statement: ParsedStatement) -> list[dict[str, Any]]:
    """Everything wrong with ``statement`` (empty: acceptable)."""
    found: list[dict[str, Any]] = []
    for entry in statement.entries:
        if entry.amount < ZERO:
            found.append(_at(entry.pointer, entry.line, f"entry {entry.index + 1} has a negative amount"))
        if entry.currency != statement.currency:
            found.append(
                _at(
                    entry.pointer,
                    entry.line,
                    f"entry {entry.index + 1} is in {entry.currency}, the account in {statement.currency}",
                )
            )
    if found:
        return found
    booked = [e for e in statement.entries if e.status == BOOKED]
    if statement.opening is not None and statement.closing is not None:
        movement = sum((e.signed for e in booked), ZERO)
        difference = statement.opening + movement - statement.closing
        if difference != ZERO:
            found.append(_balance_problem(statement, difference, movement))
    if statement.sums is not None:
        found.extend(_sum_problems(statement))
    return found


def _balance_problem(statement: ParsedStatement, difference: Decimal, movement: Decimal) -> dict[str, Any]:
    detail = (
        f"opening {statement.opening} + booked entries {movement} = {statement.opening + movement}"  # type: ignore[operator]
        f", not the closing balance {statement.closing} (difference {difference})"
    )
    for entry in statement.entries:
        if entry.status != BOOKED:
            continue
        if entry.signed == difference:
            return _at(
                entry.pointer,
                entry.line,
                f"{detail}: entry {entry.index + 1} ({entry.signed}) is one too many",
            )
        if entry.signed * 2 == difference:
            return _at(
                entry.pointer,
                entry.line,
                f"{detail}: entry {entry.index + 1} ({entry.signed}) looks booked with the wrong sign",
            )
    return _at(statement.pointer or "/body", None, detail)


def _sum_problems(statement: ParsedStatement) -> list[dict[str, Any]]:
    sums = statement.sums
    assert sums is not None
    credits = [e for e in statement.entries if e.credit]
    debits = [e for e in statement.entries if not e.credit]
    found = []
    for name, entries, total, count in (
        ("credit", credits, sums.credit_sum, sums.credit_count),
        ("debit", debits, sums.debit_sum, sums.debit_count),
    ):
        actual = sum((e.amount for e in entries), ZERO)
        if total is not None and actual != total:
            found.append(
                _at(statement.pointer, None, f"{name} entries sum to {actual}, the statement says {total}")
            )
        if count is not None and len(entries) != count:
            found.append(
                _at(statement.pointer, None, f"{len(entries)} {name} entries, the statement says {count}")
            )
    return found


def _at(pointer: str, line: int | None, detail: str) -> dict[str, Any]:
    problem: dict[str, Any] = {"pointer": pointer or "/body", "detail": detail, "type": "statement"}
    if line is not None:
        problem["line"] = line
    return problem
